// Files in items: {"$file": "<uuid>", name, mime_type, size} (docs/files.md). Download links are signed and expire,
// so the editor asks the server for them (POST /api/v1/files/links) when it shows files, a batch at a time.
import { post } from "./api";

export interface FileRef {
  $file: string;
  name: string;
  mime_type: string;
  size: number;
}

export interface FileLink {
  id: string;
  name: string;
  mime_type: string;
  size: number;
  url: string;
  expires_in: number;
  preview_url?: string | null; // a PNG of the file (a PDF's first page); null when there is none
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const PREVIEW = new Set(["image/png", "image/jpeg", "image/gif", "image/webp"]);
const MAX_PER_CALL = 100;

export function isFileRef(value: unknown): value is FileRef {
  return !!value && typeof value === "object" && !Array.isArray(value) && typeof (value as FileRef).$file === "string" && UUID.test((value as FileRef).$file);
}

export function canPreview(mimeType: string, link?: FileLink): boolean {
  return PREVIEW.has(mimeType) || !!link?.preview_url;
}

export function humanSize(size: number): string {
  let value = Number(size) || 0;
  for (const unit of ["bytes", "KB", "MB"]) {
    if (value < 1024) return unit === "bytes" ? `${value} bytes` : `${value.toFixed(1).replace(/\.0$/, "")} ${unit}`;
    value /= 1024;
  }
  return `${value.toFixed(1).replace(/\.0$/, "")} GB`;
}

// Every file reference in items: top-level fields and one level inside lists and objects (a webhook's body).
export function fileRefsIn(items: unknown[]): FileRef[] {
  const found: FileRef[] = [];
  const visit = (value: unknown, depth: number) => {
    if (isFileRef(value)) found.push(value);
    else if (depth > 0 && Array.isArray(value)) value.forEach((v) => visit(v, depth - 1));
    else if (depth > 0 && value && typeof value === "object") Object.values(value).forEach((v) => visit(v, depth - 1));
  };
  items.forEach((item) => visit(item, 3));
  return found;
}

interface Cached {
  link: FileLink | null;
  until: number;
}

const cache = new Map<string, Cached>();

export function clearFileLinkCache(): void {
  cache.clear();
}

// Links for these file ids (ids the server does not know for this organization map to nothing).
export async function fileLinks(ids: string[]): Promise<Record<string, FileLink>> {
  const now = Date.now();
  const wanted = [...new Set(ids)].filter((id) => {
    const hit = cache.get(id);
    return !hit || hit.until <= now;
  });
  for (let start = 0; start < wanted.length; start += MAX_PER_CALL) {
    const batch = wanted.slice(start, start + MAX_PER_CALL);
    const answer = await post<{ files: FileLink[] }>("/files/links", { files: batch });
    const byId = new Map(answer.files.map((f) => [f.id, f]));
    for (const id of batch) {
      const link = byId.get(id) || null;
      // Renewed a minute before the server stops honouring it.
      cache.set(id, { link, until: now + Math.max((link?.expires_in ?? 60) - 60, 30) * 1000 });
    }
  }
  const result: Record<string, FileLink> = {};
  for (const id of ids) {
    const link = cache.get(id)?.link;
    if (link) result[id] = link;
  }
  return result;
}
