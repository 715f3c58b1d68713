import { Aspects } from "cdktf";
import { IConstruct } from "constructs";

/**
 * Runs `render` once, when the stack is synthesized: after every other construct has registered with
 * `scope` what it needs (a publisher, a key user), so that nothing has to be called last. cdktf visits
 * aspects at the start of every synthesis (`cdktf synth`, `Testing.synth`); `render` may add constructs
 * under `scope`.
 */
export function renderAtSynth(scope: IConstruct, render: () => void): void {
  let rendered = false;
  Aspects.of(scope).add({
    visit(node) {
      if (node !== scope || rendered) return;
      rendered = true;
      render();
    },
  });
}
