export { generateStore, SAMPLE_DEFAULTS, type SampleStore, type StoreOptions } from "./store.ts";
export { writeAmazonFiles, SAMPLE_META_FILE, SAMPLE_REVIEWS_FILE, SAMPLE_MANIFEST_FILE, type WrittenSample } from "./amazon-files.ts";
export { ensureSample } from "./ensure.ts";
