// The framework's row helpers, under the roster's old path.
export { given, plainRow, textOrNull } from '@butlers/framework';
