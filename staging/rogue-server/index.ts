export { describeBehaviour, startRogueServer } from './rogue-server.ts';
export type { RogueBehaviour, RogueBehaviourInput, RogueRequest, RogueServer, RogueServerOptions, RogueTarget } from './rogue-server.ts';
