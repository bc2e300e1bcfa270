// With k outputs per prompt (multi-task), picks the task that the length plot
// and the Γ card show: a small segmented control, one button per task named
// by the window of x it reads. Renders nothing for a single task.
import { setViewTask, useLab } from '../store/labStore.ts';
import { taskWindows } from '../tasks/task.ts';

/** The task shown (clamped to the spec's task count). */
export function useViewTask(): number {
  return useLab((s) => Math.min(s.viewTask, s.spec.task.tasks - 1));
}

export function TaskPicker({ label }: { label: string }) {
  const taskSpec = useLab((s) => s.spec.task);
  const shown = useViewTask();
  if (taskSpec.tasks < 2) return null;
  const windows = taskWindows(taskSpec);
  return (
    <div className="task-picker" role="group" aria-label={label} data-testid="task-picker">
      {windows.map((w, t) => (
        <button
          key={t}
          type="button"
          className={t === shown ? 'task-btn active' : 'task-btn'}
          aria-pressed={t === shown}
          data-task={t + 1}
          title={`Task ${t + 1} reads x[${w[0]}:${w[1]}], i.e. x${w[0] + 1} … x${w[1]}`}
          onClick={() => setViewTask(t)}
        >
          task {t + 1} · x[{w[0]}:{w[1]}]
        </button>
      ))}
    </div>
  );
}
