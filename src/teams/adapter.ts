/**
 * The Bot Framework adapter: CloudAdapter, authenticated with the bot's app registration, or
 * anonymous (loopback only) when there is none.
 */
import { CloudAdapter, ConfigurationBotFrameworkAuthentication } from 'botbuilder';
import type { BotAuth } from '../config';
import type { Log } from '../core/log';

/** A CloudAdapter for the configured identity; turn errors are logged and answered generically. */
export function createAdapter(bot: BotAuth, log: Log): CloudAdapter {
  const auth =
    bot.mode === 'anonymous'
      ? new ConfigurationBotFrameworkAuthentication({})
      : new ConfigurationBotFrameworkAuthentication({
          MicrosoftAppId: bot.appId,
          MicrosoftAppType: bot.appType,
          ...(bot.password ? { MicrosoftAppPassword: bot.password } : {}),
          ...(bot.tenantId ? { MicrosoftAppTenantId: bot.tenantId } : {}),
        });
  const adapter = new CloudAdapter(auth);
  adapter.onTurnError = async (context, error) => {
    log.error({ err: error, activityType: context.activity.type, conversation: context.activity.conversation?.id }, 'turn failed');
    if (context.activity.type === 'message') {
      try {
        await context.sendActivity('Something went wrong on our side. Please try again; the team has the details in the log.');
      } catch (sendError) {
        log.error({ err: sendError }, 'could not tell the user about a failed turn');
      }
    }
  };
  return adapter;
}
