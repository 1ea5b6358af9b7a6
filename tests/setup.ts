// Tests must never reach Discord or any other host; the emulator listens on 127.0.0.1.
process.env.LOG_LEVEL ??= 'silent';
delete process.env.DISCORD_TOKEN;
