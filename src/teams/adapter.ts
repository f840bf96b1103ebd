/**
 * The Bot Framework adapter: CloudAdapter, authenticated with the bot's app registration, or
 * anonymous (loopback only) when there is none. Either way it posts only to allowed service URLs
 * (see {@link GuardedBotFrameworkAuthentication}).
 */
import {
  CallerIdConstants,
  CloudAdapter,
  ConfigurationBotFrameworkAuthentication,
  type Activity,
  type ConfigurationBotFrameworkAuthenticationOptions,
  type InvokeResponse,
  type TurnContext,
} from 'botbuilder';
import { AuthenticationConstants, type AuthenticateRequestResult } from 'botframework-connector';
import type { BotAuth, TestBotEndpoints } from '../config';
import type { Log } from '../core/log';
import { GuardedBotFrameworkAuthentication, SigningKeysUnavailableError } from './bot-authentication';
import { ServiceUrlPolicy } from './service-url';

/**
 * botbuilder's public-cloud settings with the OpenID metadata (the keys that sign incoming tokens)
 * read from a local fake. botbuilder takes all of these as given once any one is set.
 */
function testAuthSettings(endpoints: TestBotEndpoints): Partial<ConfigurationBotFrameworkAuthenticationOptions> {
  if (!endpoints.openIdMetadataUrl) return {};
  return {
    ToBotFromChannelOpenIdMetadataUrl: endpoints.openIdMetadataUrl,
    ToBotFromEmulatorOpenIdMetadataUrl: endpoints.openIdMetadataUrl,
    ToBotFromChannelTokenIssuer: AuthenticationConstants.ToBotFromChannelTokenIssuer,
    ToChannelFromBotLoginUrl: AuthenticationConstants.ToChannelFromBotLoginUrl,
    ToChannelFromBotOAuthScope: AuthenticationConstants.ToChannelFromBotOAuthScope,
    OAuthUrl: AuthenticationConstants.OAuthUrl,
    CallerId: CallerIdConstants.PublicAzureChannel,
  };
}

/** The service URLs the bot may call: Teams' own with an app registration, loopback when anonymous. */
export function serviceUrlPolicyFor(bot: BotAuth): ServiceUrlPolicy {
  if (bot.mode === 'anonymous') return new ServiceUrlPolicy({ allow: 'loopback' });
  const connectorUrl = bot.testEndpoints?.connectorUrl;
  return new ServiceUrlPolicy({ allow: 'teams', ...(connectorUrl ? { alsoAllowOrigin: connectorUrl } : {}) });
}

/**
 * CloudAdapter answering 503 (the channel retries) when a token could not be checked for want of the
 * signing keys; CloudAdapter itself answers any authentication failure 401, which is final.
 */
class HuntOpsCloudAdapter extends CloudAdapter {
  protected override async processActivity(
    auth: string | AuthenticateRequestResult,
    activity: Activity,
    logic: (context: TurnContext) => Promise<void>,
  ): Promise<InvokeResponse | undefined> {
    try {
      return typeof auth === 'string' ? await super.processActivity(auth, activity, logic) : await super.processActivity(auth, activity, logic);
    } catch (error) {
      if (error instanceof SigningKeysUnavailableError) return { status: 503, body: { error: error.message } };
      throw error;
    }
  }
}

/** A CloudAdapter for the configured identity; turn errors are logged and answered generically. */
export function createAdapter(bot: BotAuth, log: Log): CloudAdapter {
  const inner =
    bot.mode === 'anonymous'
      ? new ConfigurationBotFrameworkAuthentication({})
      : new ConfigurationBotFrameworkAuthentication({
          MicrosoftAppId: bot.appId,
          MicrosoftAppType: bot.appType,
          ...(bot.password ? { MicrosoftAppPassword: bot.password } : {}),
          ...(bot.tenantId ? { MicrosoftAppTenantId: bot.tenantId } : {}),
          ...(bot.testEndpoints ? testAuthSettings(bot.testEndpoints) : {}),
        });
  const adapter = new HuntOpsCloudAdapter(new GuardedBotFrameworkAuthentication({ inner, serviceUrls: serviceUrlPolicyFor(bot), log }));
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
