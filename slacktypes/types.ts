// The shapes Kept sends, written with Slack's own published types only:
// a check here does not depend on our reading of Slack's rules.
import type { HomeView, KnownBlock, MessageMetadata, ModalView } from '@slack/types';

// A message as chat.postMessage, chat.update, chat.postEphemeral, a
// response_url or a slash command's ack carries it.
export type Message = {
  text?: string;
  blocks?: KnownBlock[];
  metadata?: MessageMetadata;
  response_type?: 'ephemeral' | 'in_channel';
  replace_original?: boolean;
  delete_original?: boolean;
};

export type View = ModalView | HomeView;

export type Blocks = KnownBlock[];
