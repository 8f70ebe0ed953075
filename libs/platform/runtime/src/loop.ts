export interface LoopOptions {
  readonly name: string;
  /** Pause after a pass that found nothing to do. */
  readonly idleMs: number;
  /** Pause after a failed pass, so a broken dependency is not hammered. */
  readonly errorMs: number;
  readonly onError: (name: string, error: unknown) => void;
}

/**
 * Runs `pass` again and again: immediately while it finds work (returns > 0), after `idleMs`
 * when it does not. Stops between passes; `stop()` resolves when the current pass is done.
 */
export class Loop {
  private stopped = false;
  private wake: (() => void) | undefined;
  private done: Promise<void> | undefined;

  constructor(
    private readonly pass: () => Promise<number>,
    private readonly options: LoopOptions,
  ) {}

  start(): void {
    this.done ??= this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.done;
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      let pause = 0;
      try {
        if ((await this.pass()) === 0) pause = this.options.idleMs;
      } catch (error) {
        this.options.onError(this.options.name, error);
        pause = this.options.errorMs;
      }
      if (pause > 0 && !this.stopped) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, pause);
          this.wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
    }
  }
}
