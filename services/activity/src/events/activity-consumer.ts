/**
 * The `activity` consumer group on the order, inventory and payment streams: every event becomes
 * one document. The entry is acknowledged only after MongoDB has it; a redelivered event finds its
 * document already there (its id is the _id) and changes nothing; an unknown type or an unreadable
 * entry fails every time and ends in the stream's dead-letter stream.
 */
import { ConsumerGroup, type ConsumerGroupSettings } from "@platform/events";
import { toActivityEntry } from "../domain/activity.js";
import { type ActivityCollection, recordEntries, recordEntry } from "../store/activity.store.js";

export interface ActivityConsumerOptions extends ConsumerGroupSettings {
  entries: ActivityCollection;
}

export function activityConsumer({ entries, ...settings }: ActivityConsumerOptions): ConsumerGroup {
  return new ConsumerGroup({
    ...settings,
    handler: async (event, context) => {
      const outcome = await recordEntry(entries, toActivityEntry(event, context.stream));
      context.logger.debug({ outcome }, "activity recorded");
    },
    // The events of one read in one insertMany.
    batchHandler: async (batch) => {
      await recordEntries(
        entries,
        batch.map(({ event, context }) => toActivityEntry(event, context.stream)),
      );
    },
  });
}
