import { ContextConsumer, createContext } from '@lit/context';
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { ConsoleStore } from './console-store.ts';

/** The one shared service of the console: its live state. Provided by `kf-app`. */
export const storeContext = createContext<ConsoleStore>(Symbol('kf-console-store'));

/**
 * Gives a component the console store and re-renders it on every store change, while it is connected.
 */
export class StoreController implements ReactiveController {
  #store: ConsoleStore | undefined;
  #onChange = () => this.host.requestUpdate();

  constructor(private readonly host: ReactiveControllerHost & HTMLElement) {
    host.addController(this);
    new ContextConsumer(host, { context: storeContext, callback: (store) => this.#attach(store) });
  }

  get store(): ConsoleStore | undefined {
    return this.#store;
  }

  hostDisconnected(): void {
    this.#store?.removeEventListener('change', this.#onChange);
  }

  hostConnected(): void {
    this.#store?.addEventListener('change', this.#onChange);
  }

  #attach(store: ConsoleStore): void {
    this.#store?.removeEventListener('change', this.#onChange);
    this.#store = store;
    store.addEventListener('change', this.#onChange);
    this.host.requestUpdate();
  }
}
