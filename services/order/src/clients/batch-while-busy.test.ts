import { describe, expect, test } from "bun:test";
import { BatchWhileBusy } from "./batch-while-busy.js";

/** A send whose batches are recorded and answered when the test says so. */
function controlledSend() {
  const batches: number[][] = [];
  const pending: Array<() => void> = [];
  const send = (items: number[]) => {
    batches.push(items);
    return new Promise<Array<string | Error>>((resolve) =>
      pending.push(() => resolve(items.map((n) => (n < 0 ? new Error(`refused ${n}`) : `done ${n}`)))),
    );
  };
  const answerNext = () => pending.shift()?.();
  return { batches, send, answerNext };
}

/** After the event loop's current turn: a batch scheduled in it has gone out. */
const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

const settle = <T>(promise: Promise<T>) =>
  promise.then(
    (value) => ({ value }),
    (error: Error) => ({ error: error.message }),
  );

describe("BatchWhileBusy", () => {
  test("a call goes out at once while nothing is on the wire; those made meanwhile go out together when it returns", async () => {
    const { batches, send, answerNext } = controlledSend();
    const batcher = new BatchWhileBusy(send, { maxBatch: 100, maxInFlight: 1 });
    const first = batcher.call(1);
    expect(batches).toEqual([[1]]);

    const waiting = [batcher.call(2), batcher.call(3), batcher.call(4)];
    await nextTurn();
    expect(batches).toEqual([[1]]); // nothing more while the first is on the wire

    answerNext();
    expect(await first).toBe("done 1");
    await nextTurn();
    expect(batches).toEqual([[1], [2, 3, 4]]);
    answerNext();
    expect(await Promise.all(waiting)).toEqual(["done 2", "done 3", "done 4"]);
  });

  test("up to maxInFlight batches are on the wire at once", async () => {
    const { batches, send, answerNext } = controlledSend();
    const batcher = new BatchWhileBusy(send, { maxBatch: 100, maxInFlight: 2 });
    const calls = [1, 2, 3, 4].map((n) => batcher.call(n));
    expect(batches).toEqual([[1], [2]]);
    answerNext();
    await calls[0];
    await nextTurn();
    expect(batches).toEqual([[1], [2], [3, 4]]);
    answerNext();
    answerNext();
    expect(await Promise.all(calls)).toEqual(["done 1", "done 2", "done 3", "done 4"]);
  });

  test("each call settles on its own: an item's error rejects that call only", async () => {
    const { send, answerNext } = controlledSend();
    const batcher = new BatchWhileBusy(send, { maxBatch: 100, maxInFlight: 1 });
    const calls = [7, -8, 9].map((n) => settle(batcher.call(n)));
    answerNext();
    await nextTurn();
    answerNext();
    expect(await Promise.all(calls)).toEqual([
      { value: "done 7" },
      { error: "refused -8" },
      { value: "done 9" },
    ]);
  });

  test("a send that fails rejects every call of its batch, and the next batch still goes out", async () => {
    let attempt = 0;
    const batcher = new BatchWhileBusy(
      async (items: number[]) => {
        attempt++;
        if (attempt === 1) throw new Error("the service is away");
        return items.map((n) => `done ${n}`);
      },
      { maxBatch: 100, maxInFlight: 1 },
    );
    const failed = await Promise.all([1].map((n) => settle(batcher.call(n))));
    expect(failed).toEqual([{ error: "the service is away" }]);
    expect(await batcher.call(3)).toBe("done 3");
  });

  test("no batch is larger than its maximum", async () => {
    const { batches, send, answerNext } = controlledSend();
    const batcher = new BatchWhileBusy(send, { maxBatch: 2, maxInFlight: 1 });
    const calls = [1, 2, 3, 4, 5, 6].map((n) => batcher.call(n));
    for (let i = 0; i < 4; i++) {
      answerNext();
      await nextTurn();
    }
    expect(await Promise.all(calls)).toEqual(["done 1", "done 2", "done 3", "done 4", "done 5", "done 6"]);
    expect(batches).toEqual([[1], [2, 3], [4, 5], [6]]);
  });

  test("a send that answers with the wrong number of results rejects its batch", async () => {
    const batcher = new BatchWhileBusy(async () => ["one", "two"], { maxBatch: 100, maxInFlight: 1 });
    expect(await settle(batcher.call(1))).toEqual({ error: "a batch of 1 was answered with 2 results" });
  });
});
