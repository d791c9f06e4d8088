/**
 * What a button does. `busy` names the key of the last call started while it is in flight (a list
 * disables that row's button; false when none is), `problem` what the last call failed with (shown
 * in words; cleared when the next one starts). `run` answers the call's outcome.
 *
 *   const { busy, problem, run } = useAction<string>();
 *   const outcome = await run(order.id, () => call((api) => api.POST(…)));
 *   if (!outcome.ok) return;
 */
import { type Ref, ref } from "vue";
import type { Outcome } from "./call";
import type { Problem } from "./problem";

export function useAction<Key = true>() {
  const busy = ref(false) as Ref<Key | false>;
  const problem = ref<Problem | null>(null);

  async function run<T>(key: Key, request: () => Promise<Outcome<T>>): Promise<Outcome<T>> {
    busy.value = key;
    problem.value = null;
    try {
      const outcome = await request();
      if (!outcome.ok) problem.value = outcome.problem;
      return outcome;
    } finally {
      busy.value = false;
    }
  }

  return { busy, problem, run };
}
