/**
 * Entry point of the bot (`npm start`): the composition root lives in `src/app/`.
 */
import { runBot } from './app/run-bot';

runBot();
