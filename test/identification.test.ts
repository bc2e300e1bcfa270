// The identification names a candidate only where its R² reaches the
// threshold; below it, it says that none explains the model and how close the
// best comes. Results written before the threshold are judged by it on import.
import { describe, expect, it } from 'vitest';
import { IDENTIFY_R2, identifiedAs, identifyAlgorithm, isExplained, type AlgorithmMatch } from '../src/analysis/evaluation.ts';

const match = (predictor: AlgorithmMatch['predictor'], label: string, r2: number): AlgorithmMatch => ({ predictor, label, r2, relativeDifference: Math.sqrt(1 - r2) });

describe('algorithm identification', () => {
  it('names the best candidate at or above the threshold, the simpler one on a near tie', () => {
    const id = identifyAlgorithm([match('oneStepGd', 'one-step GD', 0.97), match('gd2', '2-step GD', 0.97 + 5e-5), match('ridge', 'ridge', 0.5)]);
    expect(id).toMatchObject({ best: 'oneStepGd', label: 'one-step GD', explained: true, threshold: IDENTIFY_R2 });
    expect(identifiedAs(id)).toBe('one-step GD');
  });

  it('below the threshold says no candidate explains the model, and shows the best', () => {
    // He et al.'s H = 1 softmax run: the best of the old candidates was 2-step GD at R² 0.78.
    const id = identifyAlgorithm([match('oneStepGd', 'one-step GD', 0.6), match('gd2', '2-step GD', 0.78), match('ridge', 'ridge', 0.7)]);
    expect(id.explained).toBe(false);
    expect(id.best).toBe('gd2');
    expect(id.label).toBe('no candidate (best: 2-step GD, R² 0.780)');
    expect(identifiedAs(id)).toBe('unexplained');
  });

  it('a NaN R² never wins', () => {
    const id = identifyAlgorithm([match('oneStepGd', 'one-step GD', NaN), match('ridge', 'ridge', 0.99)]);
    expect(id.best).toBe('ridge');
  });

  it('judges a result without the explained flag by the threshold', () => {
    const old = { matches: [match('gd2', '2-step GD', 0.78)], best: 'gd2', label: '2-step GD' };
    expect(isExplained(old)).toBe(false);
    expect(identifiedAs(old)).toBe('unexplained');
    expect(isExplained({ ...old, matches: [match('gd2', '2-step GD', 0.999)] })).toBe(true);
  });
});
