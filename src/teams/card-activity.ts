/**
 * A view as a Teams message: one Adaptive Card attachment.
 */
import { CardFactory, MessageFactory, type Activity } from 'botbuilder';
import { renderCard } from '../cards/render';
import type { View } from '../core/views';

/** The message activity that shows `view`. */
export function cardActivity(view: View): Partial<Activity> {
  return MessageFactory.attachment(CardFactory.adaptiveCard(renderCard(view)));
}
