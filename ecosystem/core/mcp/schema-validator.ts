import { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv-provider.js';
import type { jsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/types.js';

let shared: AjvJsonSchemaValidator | undefined;

/**
 * One JSON-schema validator for every MCP Server and Client of this process.
 * The SDK builds a new Ajv instance (with its formats) for each one it is not
 * given, i.e. for every MCP session a daemon accepts; ours is built on the
 * first schema that really needs validating (tool output schemas on a
 * client, elicitation on a server), which a daemon's start-up never does.
 */
export const sharedSchemaValidator: jsonSchemaValidator = {
  getValidator(schema) {
    shared ??= new AjvJsonSchemaValidator();
    return shared.getValidator(schema);
  },
};
