// Shown in place of the plots when the page cannot train: why, and what to try.
import type { GpuState } from '../store/labStore.ts';

type Unavailable = Extract<GpuState, { kind: 'unavailable' }>;

function explanation(gpu: Unavailable) {
  switch (gpu.reason) {
    case 'insecure-context':
      return (
        <p>
          Browsers offer WebGPU only to secure pages. This page was opened over plain <code>http://</code>; open it over{' '}
          <code>https://</code> or from <code>localhost</code>.
        </p>
      );
    case 'no-api':
      return (
        <p>
          This browser does not offer WebGPU. Use a recent Chrome or Edge (version 113 or later) or Safari 26 or later; on Linux,
          Chrome may need <code>chrome://flags/#enable-unsafe-webgpu</code> turned on.
        </p>
      );
    case 'no-adapter':
      return (
        <p>
          This browser supports WebGPU but found no usable GPU. Hardware acceleration may be turned off, or the GPU or its driver may
          be blocklisted (see <code>chrome://gpu</code>). Turning acceleration on, updating the driver or trying another browser
          usually helps.
        </p>
      );
    case 'device-failed':
      return <p>The browser found a GPU but could not open it for computing.</p>;
    case 'device-lost':
      return <p>The GPU stopped responding to this page (for example after a driver reset). Reload the page to continue.</p>;
  }
}

export function WebGpuUnavailable({ gpu }: { gpu: Unavailable }) {
  return (
    <section className="card unavailable" role="alert" data-testid="webgpu-unavailable" data-reason={gpu.reason}>
      <h2>WebGPU is not available</h2>
      <p>ICL Lab trains its models on your GPU through WebGPU, so nothing can run in this browser as it is.</p>
      {explanation(gpu)}
      {gpu.detail ? (
        <p className="muted small">
          Browser message: <code>{gpu.detail}</code>
        </p>
      ) : null}
      <p className="muted small">You can still change the settings: the link in the address bar keeps them, so you can open it elsewhere.</p>
    </section>
  );
}
