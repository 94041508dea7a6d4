import { loadDistilledPackage, resolveProtoPath } from './index';

describe('distilled.v1 proto', () => {
  it('is found beside the sources and defines both services', () => {
    expect(resolveProtoPath()).toMatch(/distilled\.proto$/);
    const pkg = loadDistilledPackage();
    expect(Object.keys(pkg)).toEqual(expect.arrayContaining(['Replica', 'Replication']));
    expect(Object.keys(pkg.Replica.service)).toEqual(
      expect.arrayContaining(['Append', 'AppendStream', 'Read', 'ReadBatch', 'Status']),
    );
  });
});
