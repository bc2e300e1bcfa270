// The partial "cartesian" bundle exposes the same API as full plotly.js, so it
// reuses @types/plotly.js. (The bundle is UMD; Vite presents it as a default export.)
declare module 'plotly.js-cartesian-dist-min' {
  import * as Plotly from 'plotly.js';
  export * from 'plotly.js';
  export default Plotly;
}
