package io.parley.server;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import javax.imageio.ImageIO;

/** JPEGs for the attachment tests: one with an EXIF APP1 segment holding a GPS IFD, the way phones write them. */
final class Jpegs {
    private Jpegs() {}

    static byte[] withExifGps(int w, int h) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(Color.BLUE);
        g.fillRect(0, 0, w, h);
        g.dispose();
        ByteArrayOutputStream plain = new ByteArrayOutputStream();
        try {
            ImageIO.write(img, "jpeg", plain);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        byte[] j = plain.toByteArray();
        // APP1: "Exif\0\0", a TIFF header (big-endian), IFD0 with one entry: the GPS IFD pointer (tag 0x8825),
        // then the GPS IFD with GPSLatitudeRef 'N' and the marker text a reader would find.
        ByteArrayOutputStream exif = new ByteArrayOutputStream();
        exif.writeBytes("Exif\0\0".getBytes(StandardCharsets.US_ASCII));
        exif.writeBytes(new byte[] {'M', 'M', 0, 42, 0, 0, 0, 8});
        exif.writeBytes(new byte[] {0, 1, (byte) 0x88, 0x25, 0, 4, 0, 0, 0, 1, 0, 0, 0, 26, 0, 0, 0, 0});
        exif.writeBytes(new byte[] {0, 1, 0, 1, 0, 2, 0, 0, 0, 2, 'N', 0, 0, 0, 0, 0, 0, 0});
        exif.writeBytes("GPS 52.5200 N 13.4050 E".getBytes(StandardCharsets.US_ASCII));
        byte[] payload = exif.toByteArray();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(j, 0, 2);
        out.write(0xFF);
        out.write(0xE1);
        out.write((payload.length + 2) >> 8);
        out.write((payload.length + 2) & 0xFF);
        out.writeBytes(payload);
        out.write(j, 2, j.length - 2);
        return out.toByteArray();
    }

    /** True when the JPEG has an APP1 segment before its image data. */
    static boolean hasApp1(byte[] j) {
        int i = 2;
        while (i + 4 <= j.length && (j[i] & 0xFF) == 0xFF) {
            int marker = j[i + 1] & 0xFF;
            if (marker == 0xE1) {
                return true;
            }
            if (marker == 0xDA) {
                return false;
            }
            int len = ((j[i + 2] & 0xFF) << 8) | (j[i + 3] & 0xFF);
            i += 2 + len;
        }
        return false;
    }
}
