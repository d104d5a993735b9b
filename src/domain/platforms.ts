import { z } from 'zod';

/** The platforms we fetch stats from, as the database enum `platform` names them. */
export const PLATFORMS = ['TikTok', 'Instagram', 'YouTube'] as const;
export type Platform = (typeof PLATFORMS)[number];
export const PlatformName = z.enum(PLATFORMS);

/** A video's platform: `Other` is a link we keep but cannot fetch stats for. */
export const VIDEO_PLATFORMS = [...PLATFORMS, 'Other'] as const;
export type VideoPlatform = (typeof VIDEO_PLATFORMS)[number];
export const VideoPlatformName = z.enum(VIDEO_PLATFORMS);

/** Lowercase names, as the legacy queue messages carry them. */
export const PLATFORM_BY_LOWERCASE = { tiktok: 'TikTok', instagram: 'Instagram', youtube: 'YouTube' } as const satisfies Record<string, Platform>;
export const LOWERCASE_BY_PLATFORM = { TikTok: 'tiktok', Instagram: 'instagram', YouTube: 'youtube' } as const satisfies Record<Platform, string>;
export const LowercasePlatformName = z.enum(['tiktok', 'instagram', 'youtube']);
