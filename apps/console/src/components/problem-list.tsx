// Problems as sentences, worst first, announced to screen readers as they change.
import type { ConsoleProblem } from '@distilled/console-frames';

export function ProblemList({ problems }: { problems: ConsoleProblem[] }) {
  const sorted = [...problems].sort(
    (a, b) => severityRank(a) - severityRank(b) || a.since - b.since,
  );
  return (
    <section class="problems" aria-labelledby="problems-title" aria-live="polite">
      <h2 id="problems-title" class="visually-hidden">
        Problems
      </h2>
      {sorted.length === 0 ? (
        <p class="all-well">No problems: every replica is registered, answering and in sync.</p>
      ) : (
        <ul>
          {sorted.map((problem) => (
            <li
              key={problem.key}
              class={`problem problem-${problem.severity}`}
              data-problem={problem.key}
            >
              <span class="severity">{problem.severity === 'error' ? 'Error' : 'Warning'}:</span>{' '}
              {problem.text}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function severityRank(problem: ConsoleProblem): number {
  return problem.severity === 'error' ? 0 : 1;
}
