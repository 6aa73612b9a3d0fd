// Photos are downscaled on the phone before they are queued: at most 1600 px on the long side,
// JPEG — a 4000 px camera shot shrinks from ~5 MB to ~300 KB, which a weak network can carry.
export const MAX_SIDE = 1600

export async function downscale(file: Blob, name: string): Promise<{ name: string; blob: Blob; width: number; height: number }> {
  // createImageBitmap applies the EXIF orientation, so portrait shots stay upright.
  const bitmap = await createImageBitmap(file, { imageOrientation: 'from-image' })
  const scale = Math.min(1, MAX_SIDE / Math.max(bitmap.width, bitmap.height))
  const width = Math.max(1, Math.round(bitmap.width * scale))
  const height = Math.max(1, Math.round(bitmap.height * scale))
  const canvas = document.createElement('canvas')
  canvas.width = width
  canvas.height = height
  const ctx = canvas.getContext('2d')
  if (!ctx) throw new Error('canvas 2d unavailable')
  ctx.fillStyle = '#fff' // transparent PNG areas become white, not black, in JPEG
  ctx.fillRect(0, 0, width, height)
  ctx.drawImage(bitmap, 0, 0, width, height)
  bitmap.close()
  const blob = await new Promise<Blob>((resolve, reject) =>
    canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('encode failed'))), 'image/jpeg', 0.85),
  )
  const base = name.replace(/\.[^.]*$/, '') || 'photo'
  return { name: base + '.jpg', blob, width, height }
}
