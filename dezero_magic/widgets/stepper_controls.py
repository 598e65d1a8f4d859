"""The Backward stepper's row of controls (Play, ◀ prev, next ▶, the step
slider), laid out for a projector at 200 % zoom, and what the buttons do at
the ends of the steps, for a keyboard or a presenter remote."""
import ipywidgets as widgets

from dezero_magic.widgets import style

# On the Play's box (its three buttons); says what ipywidgets' Play does, as BackwardView leaves it.
PLAY_TIP = ("▶ play: the next step every 1.5 s (from the last step, step 1 again); ❚❚ pause; "
            "■ stop: back to step 1; ⟳ repeat (off until pressed): step 1 again after the last step")
PREV_TIP, NEXT_TIP = "previous step", "next step"
FIRST_TIP = "this is step 1: there is no step before it"
LAST_TIP = "this is the last step: there is no step after it"


class Controls:
    """`play`, `prev`, `next`, `slider` and `row`, the HBox that holds them."""

    def __init__(self, n, kit):
        # No description: the front end shows none for a Play, and with one it leaves out the tooltip.
        self.play = widgets.Play(value=1, min=1, max=n, step=1, interval=1500, tooltip=PLAY_TIP,
                                 layout=kit.fixed, style=kit.description)
        # As wide as their labels (not ipywidgets' 148 px): at 200 % zoom Play, ◀ prev and next ▶
        # then share one line.
        buttons = widgets.Layout(flex="0 0 auto", width="auto", min_width="96px")
        self.prev = widgets.Button(description="◀ prev", tooltip=PREV_TIP, style=kit.button, layout=buttons)
        self.next = widgets.Button(description="next ▶", tooltip=NEXT_TIP, style=kit.button, layout=buttons)
        # The slider gives way first, and goes below the buttons when it has too little room:
        # at a fixed 420 px it squeezed ◀ prev and next ▶ to "◀" and "n" under a ~545-px box
        # (200 % zoom; 800x600 with the file browser open). The buttons keep their size (flex 0 0)
        # and stay side by side, before the slider: a remote's Enter and Tab find them first.
        # Its label as wide as "step" (not ipywidgets' 80-px column) and room for a track: in 200 px
        # with the label and the number, the track was a 15-px nub (QA: 1024x768, file browser open).
        self.slider = widgets.IntSlider(value=1, min=1, max=n, description="step", continuous_update=False,
                                        style={"description_width": "initial"},
                                        layout=widgets.Layout(flex="1 1 280px", width="auto", min_width="280px",
                                                              max_width="480px"))
        self.row = widgets.HBox([self.play, self.prev, self.next, self.slider],
                                layout=widgets.Layout(flex_flow="row wrap", align_items="center"))


def mark_ends(prev, next_, k, first, last):
    """Say on ◀ prev at step 1 and next ▶ at the last step that they go nowhere. Not disabled:
    a disabled button loses the keyboard focus to the page (QA: a presenter remote that sends
    only Enter was stuck at the last step); pressed there, it does nothing (BackwardView._go)."""
    for button, at_end, tip, end_tip in ((prev, k <= first, PREV_TIP, FIRST_TIP),
                                         (next_, k >= last, NEXT_TIP, LAST_TIP)):
        if at_end:
            button.add_class(style.AT_END)
        else:
            button.remove_class(style.AT_END)
        button.tooltip = end_tip if at_end else tip
