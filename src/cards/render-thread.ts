/**
 * The card-rendering thread's task (see `card-renderer.ts`): a view in, its Adaptive Card out. The
 * thread runs below the event loop's priority, set once by its first task.
 */
import { getPriority, setPriority } from 'node:os';
import type { View } from '../core/views';
import { renderCard, type AdaptiveCard } from './render';

/** A rendering task: the view, and the nice value the thread runs at. */
export interface RenderTask {
  readonly view: View;
  readonly nice: number;
}

let lowered = false;

/** Renders the task's view (Linux keeps a nice value per thread: this one's is lowered, the event loop's stays). */
export function render(task: RenderTask): AdaptiveCard {
  if (!lowered) {
    lowered = true;
    try {
      if (getPriority() < task.nice) setPriority(task.nice);
    } catch {
      // Not allowed here: the thread keeps its priority.
    }
  }
  return renderCard(task.view);
}
