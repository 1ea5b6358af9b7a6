import type { Client } from 'discord.js';
import { Team, User } from 'discord.js';
import type { Config } from '../config.ts';
import { errorMessage } from '../errors.ts';
import type { Logger } from '../logger.ts';

/**
 * The bot's owners: ADMIN_USER_IDS, and the application's owner or its team's members as Discord
 * reports them (read at start-up). Only they change the base knowledge and see every server's
 * figures; a server's admins manage that server's own documents alone.
 */
export class BotOwners {
  private fromApplication = new Set<string>();

  constructor(private readonly config: Pick<Config, 'adminUserIds'>) {}

  has(userId: string): boolean {
    return this.config.adminUserIds.includes(userId) || this.fromApplication.has(userId);
  }

  /** Reads the application's owner (or team members); on failure only ADMIN_USER_IDS count, with a warning. */
  async refresh(client: Client, logger: Logger): Promise<void> {
    try {
      const application = await client.application?.fetch();
      const owner = application?.owner;
      const ids = new Set<string>();
      if (owner instanceof User) ids.add(owner.id);
      else if (owner instanceof Team) for (const id of owner.members.keys()) ids.add(id);
      this.fromApplication = ids;
    } catch (error) {
      logger.warn({ err: errorMessage(error) }, "could not read the application's owners; only ADMIN_USER_IDS count as bot owners");
    }
  }
}
