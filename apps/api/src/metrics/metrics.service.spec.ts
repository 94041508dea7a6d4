import { MetricsService } from './metrics.service';

describe('MetricsService', () => {
  describe('gaugeAtScrape', () => {
    it('shows what its reader gives at each scrape, in the service registry', async () => {
      const metrics = new MetricsService();
      let held = 3;
      metrics.gaugeAtScrape('distilled_test_held', 'Things held now.', () => held);

      expect(await metrics.render()).toMatch(/^distilled_test_held 3$/m);
      held = 7;
      expect(await metrics.render()).toMatch(/^distilled_test_held 7$/m);
      expect(await metrics.render()).toContain('# HELP distilled_test_held Things held now.');
    });
  });
});
