// The framework's argument schemas, under the roster's old path.
export { rowId, text, timestamp } from '@butlers/framework';
