package io.parley.server.attach;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Iterator;
import javax.imageio.ImageIO;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * What the server does with images, streaming and in bounded memory: strips metadata (JPEG APP1..APP15 segments, where
 * EXIF with its GPS position and XMP live; PNG's eXIf and text chunks) by copying the other segments byte for byte,
 * and makes a thumbnail of at most {@link #THUMB} pixels a side, decoding with subsampling so a large photo never
 * sits in the heap at full size.
 */
final class Images {
    private Images() {}

    static final int THUMB = 320;

    /** Pixel size and thumbnail of an image. */
    record Thumbnail(int width, int height, BufferedImage image) {}

    /** True when {@link #strip} rewrites this type. */
    static boolean strippable(String type) {
        return type.equals("image/jpeg") || type.equals("image/png");
    }

    /** Copies {@code in} to {@code out} without its metadata; returns the bytes written. */
    static long strip(String type, InputStream in, OutputStream out) throws IOException {
        return type.equals("image/jpeg") ? stripJpeg(in, out) : stripPng(in, out);
    }

    private static long stripJpeg(InputStream raw, OutputStream out) throws IOException {
        DataInputStream in = new DataInputStream(raw);
        long n = 0;
        if (in.readUnsignedShort() != 0xFFD8) {
            throw new IOException("not a JPEG");
        }
        out.write(0xFF);
        out.write(0xD8);
        n += 2;
        while (true) {
            int b = in.readUnsignedByte();
            if (b != 0xFF) {
                throw new IOException("JPEG segment marker expected");
            }
            int marker = in.readUnsignedByte();
            while (marker == 0xFF) {
                marker = in.readUnsignedByte();
            }
            if (marker == 0xD9) {
                out.write(0xFF);
                out.write(marker);
                return n + 2;
            }
            if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) {
                out.write(0xFF);
                out.write(marker);
                n += 2;
                continue;
            }
            int len = in.readUnsignedShort();
            boolean drop = marker >= 0xE1 && marker <= 0xEF; // APP1 (EXIF, XMP) .. APP15; APP0 (JFIF) stays
            if (drop) {
                in.skipNBytes(len - 2);
            } else {
                out.write(0xFF);
                out.write(marker);
                out.write(len >> 8);
                out.write(len & 0xFF);
                copy(in, out, len - 2);
                n += 2 + len;
            }
            if (marker == 0xDA) {
                // Start of scan: the entropy-coded data and everything after it, as they are.
                return n + in.transferTo(out);
            }
        }
    }

    private static long stripPng(InputStream raw, OutputStream out) throws IOException {
        DataInputStream in = new DataInputStream(raw);
        byte[] sig = in.readNBytes(8);
        if (sig.length != 8) {
            throw new EOFException("not a PNG");
        }
        out.write(sig);
        long n = 8;
        while (true) {
            int len;
            try {
                len = in.readInt();
            } catch (EOFException e) {
                return n;
            }
            byte[] type = in.readNBytes(4);
            String t = new String(type, java.nio.charset.StandardCharsets.US_ASCII);
            boolean drop = t.equals("eXIf") || t.equals("tEXt") || t.equals("zTXt") || t.equals("iTXt");
            if (drop) {
                in.skipNBytes((long) len + 4);
            } else {
                out.write(len >>> 24);
                out.write(len >>> 16);
                out.write(len >>> 8);
                out.write(len);
                out.write(type);
                copy(in, out, (long) len + 4);
                n += 12L + len;
            }
            if (t.equals("IEND")) {
                return n;
            }
        }
    }

    private static void copy(InputStream in, OutputStream out, long len) throws IOException {
        byte[] buf = new byte[8192];
        long left = len;
        while (left > 0) {
            int r = in.read(buf, 0, (int) Math.min(buf.length, left));
            if (r < 0) {
                throw new EOFException("truncated image");
            }
            out.write(buf, 0, r);
            left -= r;
        }
    }

    /** The image's size and thumbnail, or null when ImageIO cannot read it (WebP, a broken file). */
    static Thumbnail thumbnail(InputStream in) throws IOException {
        try (ImageInputStream iis = ImageIO.createImageInputStream(in)) {
            if (iis == null) {
                return null;
            }
            Iterator<ImageReader> readers = ImageIO.getImageReaders(iis);
            if (!readers.hasNext()) {
                return null;
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(iis, true, true);
                int w = reader.getWidth(0);
                int h = reader.getHeight(0);
                int step = Math.max(1, Math.max(w, h) / (THUMB * 2));
                ImageReadParam p = reader.getDefaultReadParam();
                p.setSourceSubsampling(step, step, 0, 0);
                BufferedImage src = reader.read(0, p);
                double scale = Math.min(1.0, (double) THUMB / Math.max(src.getWidth(), src.getHeight()));
                int tw = Math.max(1, (int) Math.round(src.getWidth() * scale));
                int th = Math.max(1, (int) Math.round(src.getHeight() * scale));
                BufferedImage out = new BufferedImage(tw, th, BufferedImage.TYPE_INT_RGB);
                Graphics2D g = out.createGraphics();
                try {
                    g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
                    g.setColor(java.awt.Color.WHITE);
                    g.fillRect(0, 0, tw, th);
                    g.drawImage(src, 0, 0, tw, th, null);
                } finally {
                    g.dispose();
                }
                return new Thumbnail(w, h, out);
            } catch (IOException | RuntimeException e) {
                return null;
            } finally {
                reader.dispose();
            }
        }
    }
}
