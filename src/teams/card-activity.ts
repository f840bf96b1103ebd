/**
 * A view as a Teams message: one Adaptive Card attachment.
 */
import { CardFactory, MessageFactory, type Activity } from 'botbuilder';
import { renderCard, type AdaptiveCard } from '../cards/render';
import type { View } from '../core/views';

/** The message activity that shows `card`. */
export function cardMessage(card: AdaptiveCard): Partial<Activity> {
  return MessageFactory.attachment(CardFactory.adaptiveCard(card));
}

/** The message activity that shows `view`, rendered here. */
export function cardActivity(view: View): Partial<Activity> {
  return cardMessage(renderCard(view));
}
