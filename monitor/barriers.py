"""Each rule the checks report, in plain English: what the barrier is and who it stops.

Service owners are not accessibility specialists: "color-contrast" or axe's "Fix any of
the following: Element has insufficient color contrast of 3.2" tells them little. Every
rule of axe-core's WCAG A and AA set and every rule of the monitor's own checks
(``crawlers/checks/*.py``) has an entry here: a title, the barrier in residents' terms,
and who it affects. A rule not in the table (a newer axe-core, a new check) falls back
to the rule's own help text (axe-core's, read from the file the audits inject), then to
the finding's message without axe's "Fix any/all of the following" preamble, so no
view ever shows the raw preamble.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from crawlers.axe_source import axe_script


@dataclass(frozen=True)
class Barrier:
    """A rule in plain English."""

    title: str  # what is wrong, as a heading: "Images have no text alternative"
    barrier: str  # what residents meet
    affects: str  # who it stops
    known: bool = True  # False: from the rule's own help text, not this table

    @property
    def sentence(self) -> str:
        return f"{self.barrier} {self.affects}".strip()


_SCREEN_READERS = "Blind and partially sighted residents using screen readers."
_KEYBOARD = "Residents who use a keyboard, switch or voice control instead of a mouse."
_LOW_VISION = "Residents with low vision, and anyone on a phone in bright light."
_COGNITIVE = "Residents with cognitive or learning disabilities, and anyone in a hurry."
_EVERYONE = "Every resident, and most of all those using assistive technology."

# rule id: (title, the barrier, who it affects)
_TABLE: dict[str, tuple[str, str, str]] = {
    # --- axe-core: text alternatives ----------------------------------------------------
    "image-alt": (
        "Images have no text alternative",
        "An image has no alt text, so a screen reader announces nothing or the file name.",
        _SCREEN_READERS,
    ),
    "input-image-alt": (
        "Image buttons have no text alternative",
        "A button drawn as an image has no alt text, so nobody can hear what it does.",
        _SCREEN_READERS,
    ),
    "area-alt": (
        "Image map areas have no text alternative",
        "Clickable areas of an image map have no alt text, so their links have no name.",
        _SCREEN_READERS,
    ),
    "object-alt": (
        "Embedded objects have no text alternative",
        "An embedded object has no text saying what it is.",
        _SCREEN_READERS,
    ),
    "role-img-alt": (
        "Graphics have no text alternative",
        "An element shown as an image has no accessible name.",
        _SCREEN_READERS,
    ),
    "svg-img-alt": (
        "SVG images have no text alternative",
        "An SVG image has no title or label, so a screen reader says nothing about it.",
        _SCREEN_READERS,
    ),
    "aria-meter-name": (
        "Meters have no name",
        "A meter (a gauge of a value) has no name saying what it measures.",
        _SCREEN_READERS,
    ),
    "aria-progressbar-name": (
        "Progress bars have no name",
        "A progress bar has no name saying what is progressing.",
        _SCREEN_READERS,
    ),
    "image-redundant-alt": (
        "Alt text repeats the text beside it",
        "An image's alt text repeats nearby text, so screen reader users hear it twice.",
        _SCREEN_READERS,
    ),
    # --- axe-core: names of controls ------------------------------------------------------
    "button-name": (
        "Buttons have no name",
        "A button has no text or label, so a screen reader announces only 'button'.",
        _SCREEN_READERS + " Voice control users cannot say its name to press it.",
    ),
    "input-button-name": (
        "Input buttons have no name",
        "An input button has no value or label, so nobody can hear what it does.",
        _SCREEN_READERS,
    ),
    "link-name": (
        "Links have no text",
        "A link has no text a screen reader can read, so residents cannot tell where it goes.",
        _SCREEN_READERS + " Voice control users cannot say its name to follow it.",
    ),
    "label": (
        "Form fields have no label",
        "A form field has no label linked to it, so residents are not told what to enter.",
        _SCREEN_READERS + " Voice control users cannot name the field to fill it in.",
    ),
    "select-name": (
        "Drop-down lists have no label",
        "A drop-down list has no label, so residents are not told what they are choosing.",
        _SCREEN_READERS,
    ),
    "form-field-multiple-labels": (
        "Form fields have several labels",
        "A field has more than one label, and screen readers read only one of them.",
        _SCREEN_READERS,
    ),
    "aria-input-field-name": (
        "Custom fields have no name",
        "A field built with ARIA has no name, so residents are not told what to enter.",
        _SCREEN_READERS,
    ),
    "aria-toggle-field-name": (
        "Custom switches and checkboxes have no name",
        "A toggle built with ARIA has no name, so residents cannot tell what it switches.",
        _SCREEN_READERS,
    ),
    "aria-command-name": (
        "Custom buttons and links have no name",
        "A control built with ARIA has no name, so residents cannot tell what it does.",
        _SCREEN_READERS,
    ),
    "aria-tooltip-name": (
        "Tooltips have no text",
        "A tooltip has no text a screen reader can read.",
        _SCREEN_READERS,
    ),
    "aria-tab-name": (
        "Tabs have no name",
        "A tab has no name, so residents cannot tell the tabs apart.",
        _SCREEN_READERS,
    ),
    "summary-name": (
        "Expandable sections have no name",
        "The heading of a 'details' section has no text, so residents cannot tell what opens.",
        _SCREEN_READERS,
    ),
    "frame-title": (
        "Embedded frames have no title",
        "A frame (a map, a video, a payment form) has no title saying what it holds.",
        _SCREEN_READERS,
    ),
    "frame-title-unique": (
        "Embedded frames share a title",
        "Two frames have the same title, so residents cannot tell them apart.",
        _SCREEN_READERS,
    ),
    # --- axe-core: ARIA --------------------------------------------------------------------
    "aria-allowed-attr": (
        "ARIA attributes are used where they are not allowed",
        "An element carries ARIA attributes its role does not support, so assistive "
        "technology may describe it wrongly.",
        _SCREEN_READERS,
    ),
    "aria-prohibited-attr": (
        "ARIA attributes are used where they are not permitted",
        "A label or attribute is set where screen readers ignore it, so its words are lost.",
        _SCREEN_READERS,
    ),
    "aria-conditional-attr": (
        "ARIA attributes are used against their role's rules",
        "An ARIA attribute is used in a way the element's role does not allow.",
        _SCREEN_READERS,
    ),
    "aria-required-attr": (
        "ARIA roles lack their required attributes",
        "An element with an ARIA role lacks attributes the role needs (for example a "
        "checkbox without its checked state).",
        _SCREEN_READERS,
    ),
    "aria-required-children": (
        "ARIA roles lack the parts they must contain",
        "A list, menu or grid built with ARIA is missing the items it must contain.",
        _SCREEN_READERS,
    ),
    "aria-required-parent": (
        "ARIA items are outside the structure they belong to",
        "An item built with ARIA (a menu item, a tab) is not inside its menu or tab list.",
        _SCREEN_READERS,
    ),
    "aria-roles": (
        "ARIA roles are not valid",
        "An element has a role that does not exist, so assistive technology ignores it.",
        _SCREEN_READERS,
    ),
    "aria-deprecated-role": (
        "Old ARIA roles are used",
        "An element uses an ARIA role that is no longer supported.",
        _SCREEN_READERS,
    ),
    "aria-valid-attr": (
        "ARIA attributes are misspelt",
        "An ARIA attribute name is not valid, so it does nothing.",
        _SCREEN_READERS,
    ),
    "aria-valid-attr-value": (
        "ARIA attributes have wrong values",
        "An ARIA attribute has a value that is not allowed or points at nothing.",
        _SCREEN_READERS,
    ),
    "aria-braille-equivalent": (
        "Braille labels have no spoken equivalent",
        "A braille label is given without the ordinary label it stands for.",
        "Blind residents using braille displays and screen readers.",
    ),
    "aria-hidden-body": (
        "The whole page is hidden from assistive technology",
        "The page's body is marked aria-hidden, so screen readers find nothing on it.",
        _SCREEN_READERS,
    ),
    "aria-hidden-focus": (
        "Hidden content can still take focus",
        "Content hidden from screen readers still takes keyboard focus, so focus lands on "
        "something that is not announced.",
        _SCREEN_READERS + " " + _KEYBOARD,
    ),
    "duplicate-id-aria": (
        "Labels point at more than one element",
        "Two elements share an id that a label or ARIA attribute points at, so the wrong "
        "element may be named.",
        _SCREEN_READERS,
    ),
    "nested-interactive": (
        "Controls are nested inside other controls",
        "A link or button contains another one, so screen readers and keyboards miss one.",
        _SCREEN_READERS + " " + _KEYBOARD,
    ),
    # --- axe-core: structure ---------------------------------------------------------------
    "list": (
        "Lists are not built as lists",
        "A list contains things that are not list items, so screen readers miscount it.",
        _SCREEN_READERS,
    ),
    "listitem": (
        "List items are outside a list",
        "A list item is not inside a list, so it is not announced as part of one.",
        _SCREEN_READERS,
    ),
    "definition-list": (
        "Definition lists are not built correctly",
        "A list of terms and definitions is not marked up as one.",
        _SCREEN_READERS,
    ),
    "dlitem": (
        "Terms and definitions are outside their list",
        "A term or definition is not inside a definition list.",
        _SCREEN_READERS,
    ),
    "td-headers-attr": (
        "Table cells point at the wrong headers",
        "A table cell names headers that are not in the table, so its heading is lost.",
        _SCREEN_READERS,
    ),
    "th-has-data-cells": (
        "Table headers head no cells",
        "A table header has no data cells under it, so the table is read wrongly.",
        _SCREEN_READERS,
    ),
    "bypass": (
        "There is no way to skip to the main content",
        "The page has no skip link, headings or landmarks to jump past the repeated "
        "header and menus.",
        _KEYBOARD + " " + _SCREEN_READERS,
    ),
    "region": (
        "Content sits outside the page's landmarks",
        "Some content is outside the header, navigation, main and footer regions, so "
        "residents who move by region miss it.",
        _SCREEN_READERS,
    ),
    "landmark-one-main": (
        "The page has no main region",
        "Nothing marks where the main content begins, so residents cannot jump to it.",
        _SCREEN_READERS,
    ),
    "landmark-unique": (
        "Page regions share a name",
        "Two regions of the same kind have the same name, so residents cannot tell them apart.",
        _SCREEN_READERS,
    ),
    "landmark-no-duplicate-main": (
        "The page has more than one main region",
        "Two regions claim to be the main content.",
        _SCREEN_READERS,
    ),
    "landmark-complementary-is-top-level": (
        "Side content is nested in another region",
        "A side panel is placed inside another region, so it is announced in the wrong place.",
        _SCREEN_READERS,
    ),
    "heading-order": (
        "Headings skip levels",
        "Headings jump levels (for example from h2 to h4), so the page's outline is "
        "confusing to move through.",
        _SCREEN_READERS,
    ),
    "page-has-heading-one": (
        "The page has no main heading",
        "There is no level-one heading, so residents cannot jump to the start of the content.",
        _SCREEN_READERS,
    ),
    "empty-heading": (
        "Headings are empty",
        "A heading has no text, so screen readers announce an empty heading.",
        _SCREEN_READERS,
    ),
    "document-title": (
        "Pages have no title",
        "The page has no title, so the browser tab and screen readers cannot say what it is.",
        _SCREEN_READERS + " " + _COGNITIVE,
    ),
    "html-has-lang": (
        "The page does not say its language",
        "The page does not declare its language, so screen readers may read English with "
        "the wrong pronunciation.",
        _SCREEN_READERS,
    ),
    "html-lang-valid": (
        "The page's language is not valid",
        "The page declares a language code that does not exist.",
        _SCREEN_READERS,
    ),
    "html-xml-lang-mismatch": (
        "The page declares two different languages",
        "The page's lang and xml:lang attributes disagree.",
        _SCREEN_READERS,
    ),
    "valid-lang": (
        "A passage's language code is not valid",
        "A passage declares a language code that does not exist, so it is read wrongly.",
        _SCREEN_READERS,
    ),
    "meta-viewport": (
        "Zooming is switched off",
        "The page stops residents zooming in on a phone or tablet.",
        _LOW_VISION,
    ),
    "meta-viewport-large": (
        "Zooming is limited",
        "The page limits how far residents can zoom in on a phone or tablet.",
        _LOW_VISION,
    ),
    "meta-refresh": (
        "The page reloads or moves on by itself",
        "The page refreshes or sends residents elsewhere after a delay they cannot stop.",
        _SCREEN_READERS + " " + _COGNITIVE,
    ),
    "meta-refresh-no-exceptions": (
        "The page reloads or moves on by itself",
        "The page refreshes or sends residents elsewhere after a delay they cannot stop.",
        _SCREEN_READERS + " " + _COGNITIVE,
    ),
    "identical-links-same-purpose": (
        "Links with the same text go to different places",
        "Links that read the same go to different pages.",
        _SCREEN_READERS + " " + _COGNITIVE,
    ),
    # --- axe-core: seeing and operating ----------------------------------------------------
    "color-contrast": (
        "Text is hard to read against its background",
        "Text does not stand out enough from its background (below the 4.5:1 contrast "
        "WCAG asks for).",
        _LOW_VISION + " Older residents, and people with colour blindness.",
    ),
    "color-contrast-enhanced": (
        "Text contrast is below the enhanced level",
        "Text does not meet the higher contrast level (7:1).",
        _LOW_VISION,
    ),
    "link-in-text-block": (
        "Links are told apart from text by colour alone",
        "Links in a paragraph look like the text around them except for their colour.",
        "Residents with colour blindness or low vision.",
    ),
    "target-size": (
        "Buttons and links are too small to tap",
        "A control is smaller than 24 by 24 pixels and too close to others to tap reliably.",
        "Residents with tremors or limited dexterity, and anyone on a phone.",
    ),
    "autocomplete-valid": (
        "Form fields ask the browser for the wrong thing",
        "A field's autocomplete value is not valid, so browsers cannot fill in the "
        "resident's details for them.",
        "Residents with motor or memory difficulties who rely on autofill.",
    ),
    "avoid-inline-spacing": (
        "Text spacing cannot be changed",
        "Inline styles stop residents widening line, letter or word spacing.",
        "Residents with dyslexia or low vision who adjust spacing to read.",
    ),
    "blink": (
        "Text blinks",
        "Blinking text cannot be stopped.",
        _COGNITIVE + " Residents with some kinds of epilepsy.",
    ),
    "marquee": (
        "Text scrolls by itself",
        "Scrolling text cannot be paused or stopped.",
        _COGNITIVE + " Residents with low vision.",
    ),
    "no-autoplay-audio": (
        "Sound plays by itself",
        "Audio or video plays with sound for more than three seconds without a way to stop "
        "it, drowning out screen readers.",
        _SCREEN_READERS,
    ),
    "video-caption": (
        "Videos have no captions",
        "A video has no captions, so its speech cannot be read.",
        "Deaf and hard of hearing residents, and anyone watching without sound.",
    ),
    "scrollable-region-focusable": (
        "Scrolling areas cannot be reached by keyboard",
        "A box of content that scrolls cannot be focused, so its hidden part cannot be read "
        "without a mouse.",
        _KEYBOARD,
    ),
    "frame-focusable-content": (
        "Frames with controls cannot be reached by keyboard",
        "A frame holding controls is taken out of the tab order.",
        _KEYBOARD,
    ),
    "server-side-image-map": (
        "Server-side image maps are used",
        "Links inside a server-side image map can only be used with a mouse.",
        _KEYBOARD + " " + _SCREEN_READERS,
    ),
    "tabindex": (
        "The tab order is forced",
        "A positive tabindex sends keyboard focus to an element out of the page's order.",
        _KEYBOARD,
    ),
    # --- the monitor's checks: text alternatives and media --------------------------------
    "alt-file-name": (
        "Alt text is a file name",
        "An image's alt text is its file name (IMG_0912.jpg), which says nothing of what it shows.",
        _SCREEN_READERS,
    ),
    "alt-generic": (
        "Alt text says only 'image'",
        "An image's alt text is a word like 'image' or 'photo', not what the image shows.",
        _SCREEN_READERS,
    ),
    "alt-repeats-text": (
        "Alt text repeats the text beside it",
        "An image's alt text repeats its caption or nearby text, so it is heard twice.",
        _SCREEN_READERS,
    ),
    "image-link-unclear": (
        "Image links do not say where they go",
        "A link made of an image is named 'icon', 'arrow' or a file name.",
        _SCREEN_READERS,
    ),
    "image-button-unclear": (
        "Image buttons do not say what they do",
        "A button made of an image is named 'button' or 'image'.",
        _SCREEN_READERS,
    ),
    "video-no-captions": (
        "Videos have no captions",
        "A video has no captions or subtitles track.",
        "Deaf and hard of hearing residents, and anyone watching without sound.",
    ),
    "media-autoplay-sound": (
        "Sound plays by itself",
        "Audio or video starts playing with sound on its own, drowning out screen readers.",
        _SCREEN_READERS + " Residents who are easily distracted.",
    ),
    "media-autoplay-motion": (
        "Video plays by itself with no way to pause it",
        "A video plays on its own for more than five seconds with no pause control.",
        _COGNITIVE,
    ),
    "media-no-transcript": (
        "Audio and video have no transcript",
        "There is no transcript near the audio or video (a person should check).",
        "Deaf and deafblind residents, and anyone who cannot play sound.",
    ),
    "embedded-media-review": (
        "Embedded video needs a check for captions",
        "A video from another site is embedded; a person should check it has captions and "
        "a description.",
        "Deaf and hard of hearing residents, and blind residents.",
    ),
    # --- info and relationships -----------------------------------------------------------
    "table-no-headers": (
        "Data tables have no headers",
        "A table of data has no header cells, so each value is read without its heading.",
        _SCREEN_READERS,
    ),
    "table-no-headers-review": (
        "Tables may need headers",
        "A grid of cells has no headers; a person should check whether it is a data table.",
        _SCREEN_READERS,
    ),
    "table-headers-not-associated": (
        "Complex tables do not link cells to headers",
        "A table with several header rows does not say which header each cell belongs to.",
        _SCREEN_READERS,
    ),
    "layout-table-semantics": (
        "Layout tables carry data-table markup",
        "A table used for layout has headers or a caption, so it is read as data.",
        _SCREEN_READERS,
    ),
    "heading-not-marked-up": (
        "Headings are only styled, not marked up",
        "Text looks like a heading but is not marked up as one, so residents cannot jump to it.",
        _SCREEN_READERS,
    ),
    "heading-not-marked-up-review": (
        "Some text may be an unmarked heading",
        "Bold or larger text heads a section but is not a heading (a person should check).",
        _SCREEN_READERS,
    ),
    "list-not-marked-up": (
        "Lists are typed with bullet characters",
        "Lines start with •, ▪ or ✓ instead of being a list, so they are not read as one.",
        _SCREEN_READERS,
    ),
    "list-not-marked-up-review": (
        "Some lines may be an unmarked list",
        "Several lines start with '-', '*' or '1.' (a person should check).",
        _SCREEN_READERS,
    ),
    "landmarks-missing": (
        "There is no way to skip the menus",
        "Many links come before the content, with no main region and no skip link.",
        _KEYBOARD + " " + _SCREEN_READERS,
    ),
    "landmarks-missing-review": (
        "The page's regions may be missing",
        "There is a skip link but no main region (a person should check).",
        _SCREEN_READERS,
    ),
    "heading-duplicate": (
        "Two headings side by side say the same thing",
        "Neighbouring headings of the same level have the same text.",
        _SCREEN_READERS + " " + _COGNITIVE,
    ),
    # --- forms ----------------------------------------------------------------------------
    "group-no-name": (
        "Radio buttons and checkboxes have no question",
        "A group of options has no fieldset or legend, so the question they answer is not "
        "read out.",
        _SCREEN_READERS,
    ),
    "required-asterisk-unexplained": (
        "A '*' marks required fields without saying so",
        "Labels carry an asterisk and nothing on the page says what it means.",
        _COGNITIVE + " " + _SCREEN_READERS,
    ),
    "autocomplete-missing": (
        "Personal detail fields cannot be filled in automatically",
        "Name, email, telephone, postcode or date of birth fields do not say what they "
        "ask for, so browsers cannot fill them in.",
        "Residents with motor or memory difficulties who rely on autofill.",
    ),
    "autocomplete-missing-review": (
        "Address fields may not fill in automatically",
        "Address or town fields have no autocomplete (a person should check).",
        "Residents with motor or memory difficulties who rely on autofill.",
    ),
    "autocomplete-wrong": (
        "Fields ask the browser for the wrong detail",
        "A field's autocomplete asks for something else (an email field asking for a "
        "telephone number), so the wrong detail is filled in.",
        "Residents who rely on autofill.",
    ),
    "field-no-visible-label": (
        "Form fields have no visible label",
        "A field is named only for screen readers; nothing on screen says what to enter.",
        _COGNITIVE + " Voice control users and residents with low vision.",
    ),
    "label-duplicate": (
        "Two fields have the same label",
        "Two fields in one form share a label, so residents cannot tell them apart.",
        _SCREEN_READERS + " Voice control users.",
    ),
    "label-not-in-name": (
        "A control's spoken name differs from its visible text",
        "The name given to screen readers does not contain the words shown on the control.",
        "Voice control users, who say the words they see.",
    ),
    "placeholder-no-label": (
        "Fields are labelled only by placeholder text",
        "The hint inside a field disappears when residents start typing.",
        _COGNITIVE + " " + _SCREEN_READERS,
    ),
    "error-not-identified": (
        "Errors are not pointed out",
        "After a wrong answer, the page does not say which field is wrong.",
        _SCREEN_READERS + " " + _COGNITIVE,
    ),
    "error-not-described": (
        "Errors are not explained",
        "An error message does not say what is wrong or how to put it right.",
        _COGNITIVE + " " + _SCREEN_READERS,
    ),
    # --- use of colour --------------------------------------------------------------------
    "link-colour-only": (
        "Links are told apart from text by colour alone",
        "Links in text have no underline or other mark, only a colour close to the text's.",
        "Residents with colour blindness or low vision.",
    ),
    "error-colour-only": (
        "Errors are shown by colour alone",
        "A field in error is marked only by a red border, with no error text.",
        "Residents with colour blindness, and screen reader users.",
    ),
    "error-colour-only-review": (
        "An error may be shown by colour alone",
        "One field has a red border and no text (a person should check).",
        "Residents with colour blindness.",
    ),
    "required-colour-only": (
        "Required fields are shown by colour alone",
        "Only the label's red colour says a field is required.",
        "Residents with colour blindness, and screen reader users.",
    ),
    # --- moving content, widgets, interaction ---------------------------------------------
    "timed-redirect": (
        "The page moves on by itself",
        "A script sends residents elsewhere or reloads the page after a delay.",
        _SCREEN_READERS + " " + _COGNITIVE,
    ),
    "motion-no-pause": (
        "Animation cannot be paused",
        "Something moves for more than five seconds with no pause control.",
        _COGNITIVE + " Residents with vestibular disorders.",
    ),
    "carousel-no-pause": (
        "A carousel moves on with no pause button",
        "Slides change by themselves and cannot be stopped.",
        _COGNITIVE + " " + _SCREEN_READERS,
    ),
    "custom-control-no-role": (
        "Clickable elements are not buttons or links",
        "Something that reacts to clicks is not a button or link, so keyboards and screen "
        "readers do not know it is a control.",
        _KEYBOARD + " " + _SCREEN_READERS,
    ),
    "disclosure-state-missing": (
        "Show-and-hide buttons do not say whether they are open",
        "A button that opens hidden content does not say whether it is expanded.",
        _SCREEN_READERS,
    ),
    "disclosure-state-review": (
        "A toggle may not say whether it is open",
        "A 'toggle' button before hidden content has no expanded state (a person should check).",
        _SCREEN_READERS,
    ),
    "tab-state-missing": (
        "Tabs do not say which one is selected",
        "Tabs have no selected state, so residents cannot tell which panel is showing.",
        _SCREEN_READERS,
    ),
    "hover-only-content": (
        "Menus open only on mouse hover",
        "Links appear only when the mouse hovers, never when the keyboard focuses.",
        _KEYBOARD,
    ),
    "mouse-only-content": (
        "Content appears only with a mouse",
        "Moving the mouse over an element shows links that keyboard focus does not.",
        _KEYBOARD,
    ),
    "change-of-context": (
        "Choosing an option moves residents on unexpectedly",
        "Changing a drop-down or field submits the form or opens a page without asking.",
        _SCREEN_READERS + " " + _KEYBOARD + " " + _COGNITIVE,
    ),
    # --- keyboard -------------------------------------------------------------------------
    "keyboard-trap": (
        "Keyboard focus gets trapped",
        "Once the keyboard enters part of the page it cannot leave it, so the rest of the "
        "page, the form's submit button included, cannot be reached.",
        _KEYBOARD + " Screen reader users.",
    ),
    "skip-link": (
        "There is no skip link",
        "There is no link at the top to jump past the header and menus.",
        _KEYBOARD,
    ),
    "skip-link-target": (
        "The skip link goes nowhere",
        "The 'skip to main content' link does not move focus to the content.",
        _KEYBOARD,
    ),
    "focus-not-visible": (
        "Keyboard focus cannot be seen",
        "Nothing shows which link or field has keyboard focus.",
        _KEYBOARD + " Residents with low vision.",
    ),
    "focus-obscured": (
        "Keyboard focus is hidden under other content",
        "The focused element is covered by a sticky header, banner or pop-up.",
        _KEYBOARD,
    ),
    "focus-order": (
        "Keyboard focus jumps around the page",
        "A positive tabindex sends focus back up the page, out of reading order.",
        _KEYBOARD,
    ),
    "focus-order-visual": (
        "Keyboard focus may move in a confusing order",
        "Focus goes back up the page without a tabindex (a person should check the order "
        "makes sense).",
        _KEYBOARD,
    ),
    "not-keyboard-reachable": (
        "Controls cannot be reached by keyboard",
        "A link, button or field cannot be reached with the Tab key.",
        _KEYBOARD,
    ),
    "click-not-focusable": (
        "Clickable elements cannot be reached by keyboard",
        "Something that reacts to clicks never takes keyboard focus.",
        _KEYBOARD,
    ),
    # --- reflow, zoom and spacing ---------------------------------------------------------
    "reflow": (
        "The page needs sideways scrolling on a narrow screen",
        "At 320 pixels wide (a phone, or a desktop zoomed to 400%) residents must scroll "
        "sideways to read each line.",
        _LOW_VISION,
    ),
    "resize-text-clipped": (
        "Text is cut off when zoomed",
        "At 200% zoom some text is cut off.",
        _LOW_VISION,
    ),
    "resize-text-overlap": (
        "Text overlaps when zoomed",
        "At 200% zoom text is drawn over other text.",
        _LOW_VISION,
    ),
    "text-spacing-clipped": (
        "Text is cut off when spacing is widened",
        "Widening line, letter or word spacing cuts text off.",
        "Residents with dyslexia or low vision who adjust spacing to read.",
    ),
    "hover-content-dismissible": (
        "Pop-up text cannot be dismissed",
        "Text shown on hover or focus cannot be closed without moving away.",
        _LOW_VISION + " Screen magnifier users.",
    ),
    "content-on-hover-or-focus": (
        "Pop-up text disappears too soon",
        "Text shown on hover or focus vanishes when the pointer moves onto it.",
        "Screen magnifier users and residents with low vision.",
    ),
    # --- page structure, titles, language -------------------------------------------------
    "page-title-generic": (
        "Page titles do not say what the page is",
        "The page title is a word like 'Home' or only the council's name.",
        _SCREEN_READERS + " Anyone with several tabs open.",
    ),
    "page-title-duplicate": (
        "Different pages share a title",
        "Several pages of the service have the same title, so residents cannot tell which "
        "step they are on.",
        _SCREEN_READERS + " " + _COGNITIVE,
    ),
    "link-text-generic": (
        "Link text does not say where links go",
        "Links say 'click here' or 'read more' and lead to different places.",
        _SCREEN_READERS + " " + _COGNITIVE,
    ),
    "heading-empty": (
        "Headings are empty",
        "A heading has no text.",
        _SCREEN_READERS,
    ),
    "heading-skipped-level": (
        "Headings skip levels",
        "Headings jump a level, so the outline of the page is confusing.",
        _SCREEN_READERS,
    ),
    "language-mismatch": (
        "The page says it is in the wrong language",
        "The page's declared language is not the language it is written in, so screen "
        "readers pronounce it wrongly.",
        _SCREEN_READERS,
    ),
    "passage-language": (
        "A passage in another language is not marked",
        "A passage in another language (Welsh, Polish...) is read with English pronunciation.",
        _SCREEN_READERS,
    ),
    # --- links ----------------------------------------------------------------------------
    "broken-link": (
        "Links are broken",
        "A link leads to a page that does not exist or does not answer.",
        "Every resident who follows it: they are stopped mid-task.",
    ),
    # --- documents ------------------------------------------------------------------------
    "pdf-untagged": (
        "PDFs have no structure",
        "A PDF has no tags, so headings, lists and reading order are lost.",
        _SCREEN_READERS,
    ),
    "pdf-no-title": (
        "PDFs have no title",
        "A PDF has no document title, so it is announced by its file name.",
        _SCREEN_READERS,
    ),
    "pdf-no-language": (
        "PDFs do not say their language",
        "A PDF does not declare its language.",
        _SCREEN_READERS,
    ),
    "pdf-no-text": (
        "PDFs are scanned images of text",
        "A PDF has no text that can be read out or selected.",
        _SCREEN_READERS + " Residents who enlarge or reflow text.",
    ),
    "pdf-exempt": (
        "An old PDF is exempt but should be checked",
        "A PDF published before 23 September 2018 is exempt unless it is needed for a "
        "service; a person should check.",
        "Residents who need the document in an accessible form.",
    ),
    # --- the accessibility statement ------------------------------------------------------
    "statement-missing": (
        "The service has no accessibility statement",
        "No accessibility statement was found, which the 2018 regulations require.",
        "Residents who need to know what is not accessible and how to get help.",
    ),
    "statement-unreachable": (
        "The accessibility statement cannot be opened",
        "The statement's link leads to an error.",
        "Residents who need to know what is not accessible and how to get help.",
    ),
    "statement-link-missing": (
        "Pages do not link to the accessibility statement",
        "Pages of the service have no link to its accessibility statement.",
        "Residents looking for help or a way to report a problem.",
    ),
    "statement-compliance-status": (
        "The statement does not say how compliant the service is",
        "The statement has no compliance status (fully, partially or not compliant).",
        "Residents deciding whether the service will work for them.",
    ),
    "statement-non-accessible-content": (
        "The statement does not list what is not accessible",
        "The statement does not say which parts of the service fail and why.",
        "Residents who need to know what to expect.",
    ),
    "statement-feedback": (
        "The statement gives no way to report a problem",
        "The statement does not say how to report a problem or ask for another format.",
        "Residents who meet a barrier and need another way.",
    ),
    "statement-enforcement": (
        "The statement does not name the enforcement procedure",
        "The statement does not link to the Equality and Human Rights Commission.",
        "Residents whose complaint is not resolved.",
    ),
    "statement-preparation": (
        "The statement does not say when it was prepared",
        "The statement has no 'preparation of this statement' section or date.",
        "Residents judging whether it is up to date.",
    ),
    "statement-stale": (
        "The statement is out of date",
        "The statement has not been reviewed in over a year.",
        "Residents relying on it to know what works.",
    ),
    "statement-contradicts-scan": (
        "The statement claims full compliance the checks disprove",
        "The statement says the service is fully compliant while serious failures are open.",
        "Residents misled about what will work for them.",
    ),
    # --- branding -------------------------------------------------------------------------
    "logo": (
        "The council's logo is missing or wrong",
        "The header does not carry the council's logo as the brand requires.",
        "Residents checking they are on a genuine council service.",
    ),
    "palette": (
        "Colours are outside the council's palette",
        "The page uses colours that are not in the council's palette.",
        "Residents who recognise the council's services by their look.",
    ),
    "typeface": (
        "Text is not in the council's typefaces",
        "Body text or headings use another typeface.",
        "Residents who recognise the council's services by their look.",
    ),
    "header": (
        "The council's header is missing",
        "The page has no header in the council's pattern.",
        "Residents who need to find their way back to the council's site.",
    ),
    "footer": (
        "The council's footer is missing",
        "The page has no footer in the council's pattern.",
        "Residents looking for contact details, privacy and accessibility information.",
    ),
    "footer-links": (
        "The footer lacks the links every page needs",
        "Links such as privacy, cookies, accessibility or contact are missing.",
        "Residents looking for the council's policies or how to get help.",
    ),
    "title-pattern": (
        "Page titles do not follow the council's pattern",
        "Page titles do not end with the council's name.",
        "Residents with several tabs open, and screen reader users.",
    ),
    "favicon": (
        "The browser tab shows no council icon",
        "The page has no council favicon.",
        "Residents telling tabs apart.",
    ),
    "cookie-banner": (
        "The cookie banner is not the council's",
        "The cookie banner is missing or differs from the council's.",
        "Residents deciding about cookies.",
    ),
    "domain": (
        "The service is on an unexpected domain",
        "The service is served from a domain the council does not list.",
        "Residents checking they are on a genuine council service.",
    ),
}

_AXE_HELP = re.compile(
    r'(?:"([\w-]+)"|([A-Za-z][\w]*)):\{description:"(?:[^"\\]|\\.)*",help:"((?:[^"\\]|\\.)*)"\}'
)
_PREAMBLE = re.compile(r"^\s*Fix (?:any|all) of the following:\s*", re.IGNORECASE)


@lru_cache(maxsize=1)
def axe_help() -> dict[str, str]:
    """axe-core's own help text per rule id, read from the file the audits inject."""
    return {m.group(1) or m.group(2): m.group(3) for m in _AXE_HELP.finditer(axe_script())}


def plain_message(message: str) -> str:
    """A finding's message without axe's "Fix any/all of the following:" preamble: its
    first remaining line, the one that names the failure."""
    lines = [line.strip() for line in _PREAMBLE.sub("", message or "").splitlines()]
    lines = [line for line in lines if line and not _PREAMBLE.match(line)]
    return lines[0] if lines else ""


def explain(rule: str, message: str = "") -> Barrier:
    """The rule in plain English (see the module's docstring for the fall-backs)."""
    if rule in _TABLE:
        title, barrier, affects = _TABLE[rule]
        return Barrier(title, barrier, affects)
    helped = axe_help().get(rule)
    detail = plain_message(message)
    title = helped or detail or rule.replace("-", " ").capitalize()
    return Barrier(title, detail if detail != title else "", "", known=False)


def explained_rules() -> frozenset[str]:
    return frozenset(_TABLE)
