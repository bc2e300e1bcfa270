// Loads the precomputed example (component and data, one chunk) only when it
// is shown, so the page that trains never fetches it. If the chunk cannot be
// loaded the example is left out and the rest of the page stays as it is.
import { Component, lazy, Suspense, type ReactNode } from 'react';

const ExampleResult = lazy(() => import('./ExampleResult.tsx'));

class LeaveOutOnError extends Component<{ children: ReactNode }, { failed: boolean }> {
  override state = { failed: false };

  static getDerivedStateFromError(): { failed: boolean } {
    return { failed: true };
  }

  override componentDidCatch(error: unknown): void {
    console.warn('the precomputed example could not be shown:', error);
  }

  override render(): ReactNode {
    return this.state.failed ? null : this.props.children;
  }
}

export function ExampleResultLoader() {
  return (
    <LeaveOutOnError>
      <Suspense fallback={<div className="example-loading muted small">loading a precomputed example…</div>}>
        <ExampleResult />
      </Suspense>
    </LeaveOutOnError>
  );
}
