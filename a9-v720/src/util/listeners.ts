/**
 * A typed event list whose `on` hands back its own unsubscribe. A part that listens keeps what
 * `on` returned and calls it when it stops, so nothing stays subscribed by accident and no second
 * reference to the listener is needed for an `off`.
 */

/** Ends one subscription; calling it again does nothing. */
export type Unsubscribe = () => void;

type EventMap = Record<string, unknown[]>;
type ListenerLists<Events extends EventMap> = { [E in keyof Events]?: Array<(...args: Events[E]) => void> };

export class Listeners<Events extends EventMap> {
  private readonly lists: ListenerLists<Events> = {};

  on<E extends keyof Events>(event: E, listener: (...args: Events[E]) => void): Unsubscribe {
    const list = (this.lists[event] ??= []);
    list.push(listener);
    let subscribed = true;
    return () => {
      if (!subscribed) return;
      subscribed = false;
      const index = list.indexOf(listener);
      if (index >= 0) list.splice(index, 1);
    };
  }

  /** Calls the listeners in subscription order; one that unsubscribes meanwhile still gets this event. */
  emit<E extends keyof Events>(event: E, ...args: Events[E]): void {
    const list = this.lists[event];
    if (!list || list.length === 0) return;
    for (const listener of [...list]) listener(...args);
  }

  listenerCount(event: keyof Events): number {
    return this.lists[event]?.length ?? 0;
  }
}
