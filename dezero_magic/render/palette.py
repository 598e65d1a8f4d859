"""Colours: a viridis-like sequential scale (colour-blind safe, readable in
grey) for |grad|, and a warning colour for NaN/Inf that is not on the scale."""
import math

# Stops sampled from matplotlib's viridis at 0, 0.25, 0.5, 0.75, 1.
STOPS = [(0x44, 0x01, 0x54), (0x3B, 0x52, 0x8B), (0x21, 0x91, 0x8C), (0x5E, 0xC9, 0x62), (0xFD, 0xE7, 0x25)]
NO_GRAD_FILL = "#f4f4f4"
WARNING_FILL = "#fdae6b"
WARNING_STROKE = "#b35806"
MARK_STROKE = "#d01c8b"
HIGHLIGHT_STROKE = "#e66101"
FUNC_FILL = "#dfe7f2"


def scale(t):
    """Colour at t in [0, 1] as '#rrggbb' (NaN and out-of-range are clamped)."""
    if not isinstance(t, (int, float)) or math.isnan(t):
        t = 0.0
    t = min(1.0, max(0.0, float(t)))
    pos = t * (len(STOPS) - 1)
    i = min(int(pos), len(STOPS) - 2)
    frac = pos - i
    a, b = STOPS[i], STOPS[i + 1]
    rgb = [round(a[k] + (b[k] - a[k]) * frac) for k in range(3)]
    return "#%02x%02x%02x" % tuple(rgb)


def text_colour(t):
    """Black or white, whichever stands out more on the scale's colour at t:
    a fixed switch at t = 0.55 left white text at 3.4:1 on the teal middle
    (WCAG AA asks 4.5:1); this way every fill of the scale reaches 4.5:1."""
    lum = luminance(scale(t))
    return "#000000" if (lum + 0.05) / 0.05 >= 1.05 / (lum + 0.05) else "#ffffff"


def luminance(colour):
    """WCAG relative luminance of '#rrggbb'."""
    def linear(c):
        c /= 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (linear(int(colour[i:i + 2], 16)) for i in (1, 3, 5))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a, b):
    """WCAG contrast ratio of two '#rrggbb' colours (1 to 21)."""
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)
