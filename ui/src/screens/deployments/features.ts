// Actions whose backend is built by another part of Berth and may not be in this build yet.

/**
 * "Tear down an app" removes everything tagged `berth:app=<name>` (plan, then apply). Its core
 * (`steps::launch::teardown`) belongs to the Launch step; until that and a `teardown_app` command
 * exist, the entry point and its confirmation stay hidden.
 */
export const TEARDOWN_AVAILABLE = false;
