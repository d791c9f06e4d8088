/**
 * A cursor-paged list (`{ items, nextCursor }`) as a screen shows it: the items so far, whether a
 * page is loading, the problem of the last load, and "Load more". A reload made while an older load
 * is still running wins: the older answer is dropped.
 */
import { type Ref, reactive, ref } from "vue";
import type { Outcome } from "../api/call";
import type { Problem } from "../api/problem";
import type { Page } from "../api/types";

export function usePagedList<T>(fetchPage: (cursor: string | undefined) => Promise<Outcome<Page<T>>>) {
  const items = ref([]) as Ref<T[]>;
  const nextCursor = ref<string | null>(null);
  const loading = ref(false);
  const loaded = ref(false);
  const problem = ref<Problem | null>(null);
  let generation = 0;

  async function load(cursor: string | undefined): Promise<void> {
    const mine = ++generation;
    loading.value = true;
    problem.value = null;
    const outcome = await fetchPage(cursor);
    if (mine !== generation) return;
    loading.value = false;
    if (!outcome.ok) {
      problem.value = outcome.problem;
      return;
    }
    items.value = cursor ? [...items.value, ...outcome.data.items] : outcome.data.items;
    nextCursor.value = outcome.data.nextCursor;
    loaded.value = true;
  }

  // reactive() unwraps the refs: a screen reads `list.items`, `list.loading` in script and template.
  return reactive({
    items,
    nextCursor,
    loading,
    loaded,
    problem,
    /** The first page again (after a change of filters, or of the data). */
    reload: () => load(undefined),
    loadMore: () => (nextCursor.value ? load(nextCursor.value) : Promise.resolve()),
  });
}
