import type { ExperimentSpec } from '../spec/types.ts';
import { lsaModel } from './lsa.ts';
import { softmaxModel } from './softmax.ts';
import type { ModelDef } from './types.ts';

export function modelFor(spec: ExperimentSpec): ModelDef {
  switch (spec.model.type) {
    case 'lsa':
      return lsaModel(spec.task.d, spec.task.tasks);
    case 'softmax':
      return softmaxModel(spec.task.d, spec.model.heads, spec.task.tasks, spec.train.batch);
  }
}
