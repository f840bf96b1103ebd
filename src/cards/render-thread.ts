/**
 * The card-rendering thread's task (see `card-renderer.ts`): a view in, its Adaptive Card out. The
 * thread runs below the event loop (`threads/thread-priority.ts`), set once by its first task.
 */
import type { View } from '../core/views';
import { lowerPriority } from '../threads/thread-priority';
import { renderCard, type AdaptiveCard } from './render';

/** A rendering task: the view, and the nice value the thread runs at. */
export interface RenderTask {
  readonly view: View;
  readonly nice: number;
}

/** Renders the task's view (this thread's priority is lowered at its first task; the event loop's stays). */
export function render(task: RenderTask): AdaptiveCard {
  lowerPriority(task.nice);
  return renderCard(task.view);
}
