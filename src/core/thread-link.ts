/**
 * The link that opens an incident's thread in Teams (a deep link to the thread's opening message),
 * for the Sentinel incident's description. Teams names a channel message by the channel's id and the
 * message's id; the thread is the message's own (`parentMessageId` is the message itself). A
 * channel message's id is its creation time in epoch milliseconds, which Teams also reads as
 * `createdTime`.
 */

/** The deep link to the thread that message `rootMessageId` starts in channel `channelId`. */
export function threadLink(channelId: string, rootMessageId: string, tenantId?: string): string {
  const url = new URL(`https://teams.microsoft.com/l/message/${encodeURIComponent(channelId)}/${encodeURIComponent(rootMessageId)}`);
  if (tenantId) url.searchParams.set('tenantId', tenantId);
  url.searchParams.set('parentMessageId', rootMessageId);
  if (/^\d{1,16}$/.test(rootMessageId)) url.searchParams.set('createdTime', rootMessageId);
  return url.href;
}
