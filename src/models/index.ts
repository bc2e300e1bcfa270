import type { ExperimentSpec } from '../spec/types.ts';
import { isGeneralLinearAttention } from '../spec/validate.ts';
import { laShapeOf, linearAttentionModel } from './linearAttention.ts';
import { lsaModel } from './lsa.ts';
import { softmaxModel } from './softmax.ts';
import type { ModelDef } from './types.ts';

export function modelFor(spec: ExperimentSpec): ModelDef {
  switch (spec.model.type) {
    case 'lsa':
      // One merged head and layer keeps its own kernels (and so its links' bits).
      return isGeneralLinearAttention(spec.model) ? linearAttentionModel(laShapeOf(spec)) : lsaModel(spec.task.d, spec.task.tasks);
    case 'softmax':
      return softmaxModel(spec.task.d, spec.model.heads, spec.task.tasks, spec.train.batch);
  }
}
