/** Number inputs: v-model gives a number, or "" while the field is empty (or not a number). */
export type NumberInput = number | "";

/** An empty number field is sent as null, so the platform names the field that is missing. */
export const asNumber = (value: NumberInput) => (value === "" ? (null as unknown as number) : value);
