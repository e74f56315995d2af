import { defineChatContract, type MessageOf } from '@chatwire/protocol';
import { z } from 'zod';

/** Most images one message carries. */
export const MAX_ATTACHMENTS = 4;

/**
 * An image link: an `https:` URL only (never `javascript:`, `data:` or plain `http:`), a name to show
 * as its alt text and an `image/…` type.
 */
export const attachmentSchema = z.object({
  url: z.url({ protocol: /^https$/ }).max(2048),
  name: z.string().min(1).max(200),
  type: z.string().regex(/^image\/([\w.+-]+|\*)$/, 'an image type such as image/png'),
});

/** One image link of a message (its `meta.attachments`). */
export type Attachment = z.infer<typeof attachmentSchema>;

/**
 * The demo's chat contract, shared by the server (src/server.ts) and the page: messages carry
 * `meta.attachments`, checked on both ends and by the server before anything is stored.
 */
export const demoContract = defineChatContract({
  meta: z.object({ attachments: z.array(attachmentSchema).min(1).max(MAX_ATTACHMENTS).optional() }),
});

/** The demo's contract. */
export type DemoContract = typeof demoContract;
/** A message of the demo, with its `meta` typed. */
export type DemoMessage = MessageOf<DemoContract>;

const IMAGE_TYPES: Record<string, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  avif: 'image/avif',
  svg: 'image/svg+xml',
};

/**
 * The attachment of an image link the user typed or pasted, undefined unless it is an `https:` URL
 * (the type comes from the file's extension: `image/*` when it has none we know).
 */
export function imageLink(text: string): Attachment | undefined {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    return undefined;
  }
  if (url.protocol !== 'https:') return undefined;
  const file = url.pathname.split('/').at(-1) ?? '';
  const extension = /\.([a-z0-9]+)$/i.exec(file)?.[1]?.toLowerCase() ?? '';
  const parsed = attachmentSchema.safeParse({
    url: url.href,
    name: decodeURIComponentSafe(file) || url.hostname,
    type: IMAGE_TYPES[extension] ?? 'image/*',
  });
  return parsed.success ? parsed.data : undefined;
}

/** True when a pasted text is a link to an image file (an https URL ending in .png, .jpg…). */
export function isImageUrl(text: string): boolean {
  const link = imageLink(text);
  return link !== undefined && link.type !== 'image/*' && !/\s/.test(text.trim());
}

function decodeURIComponentSafe(value: string): string {
  try {
    return decodeURIComponent(value).slice(0, 200);
  } catch {
    return value.slice(0, 200);
  }
}
