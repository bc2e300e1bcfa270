import type { ExperimentSpec } from '../spec/types.ts';
import { isGeneralLinearAttention } from '../spec/validate.ts';
import { laShapeOf, linearAttentionModel } from './linearAttention.ts';
import { lsaModel } from './lsa.ts';
import { softmaxKernelOf, softmaxModel, type SoftmaxKernel } from './softmax.ts';
import type { ModelDef } from './types.ts';

export interface ModelOptions {
  /** The softmax training kernel (default: softmaxKernelOf the spec's shape). */
  softmaxKernel?: SoftmaxKernel;
}

export function modelFor(spec: ExperimentSpec, options: ModelOptions = {}): ModelDef {
  switch (spec.model.type) {
    case 'lsa':
      // One merged head and layer keeps its own kernels (and so its links' bits).
      return isGeneralLinearAttention(spec.model) ? linearAttentionModel(laShapeOf(spec)) : lsaModel(spec.task.d, spec.task.tasks);
    case 'softmax': {
      const { d, tasks: K, n } = spec.task;
      const H = spec.model.heads;
      return softmaxModel(d, H, K, spec.train.batch, options.softmaxKernel ?? softmaxKernelOf(d, H, K), n);
    }
  }
}
