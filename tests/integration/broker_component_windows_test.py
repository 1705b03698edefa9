"""Component mode with two chats at once (`max_chats = 2`): each chat is a conversation of its
own in joe's client, commands typed there mean that chat, and nothing carries a `[#n name]`
prefix (the window says which chat it is).

    > Remote user 'ann' wants ...                  (from A@chat.localhost)
    > Remote user 'bob' wants ...                  (from B@chat.localhost)
    joe in A's window: !ACCEPT                     (no number: A)
    joe in B's window: !ACCEPT                     (no number: B)
    ann: Hi from ann     > Hi from ann             (from A, no prefix)
    bob: Hi from bob     > Hi from bob             (from B, no prefix)
    joe in B's window: For bob.     < For bob.     (bob only)
    joe in A's window: For ann.     < For ann.     (ann only)
    joe in A's window: !FINISH                     (A closes; B stays open)

This relies on the core's side of component mode (issue 17: OperatorMessage::window decides the
chat of a command without a number and of plain text); see tests/integration/CMakeLists.txt.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from broker_component_test import ComponentCase, address  # noqa: E402
import harness.case as case  # noqa: E402
from harness.visitor import Visitor  # noqa: E402


class ComponentWindows(ComponentCase):
    def test_two_chats_in_two_conversations_without_prefixes(self):
        joe = self.operator("joe")
        joe.connect("laptop")
        app = self.component_seshat([joe.bare_jid], max_chats="2")
        app.wait_operators(1)

        ann, bob = Visitor(app), Visitor(app)
        a, b = ann.start("ann"), bob.start("bob")
        joe.expect(lambda text: text.startswith("Remote user 'ann'"), sender=address(a))
        joe.expect(lambda text: text.startswith("Remote user 'bob'"), sender=address(b))

        joe.send(address(a), "!ACCEPT")
        joe.expect(lambda text: text.startswith(f"You are now handling chat #{a}."),
                   sender=address(a))
        ann.expect("Your chat has started.", sender="system")
        joe.send(address(b), "!accept")
        joe.expect(lambda text: text.startswith(f"You are now handling chat #{b}."),
                   sender=address(b))
        bob.expect("Your chat has started.", sender="system")

        ann.send("Hi from ann")
        joe.expect("Hi from ann", sender=address(a))
        bob.send("Hi from bob")
        joe.expect("Hi from bob", sender=address(b))

        # Answers in each window go to that window's visitor, whichever chat is "current".
        joe.send(address(b), "For bob.")
        bob.expect("For bob.", sender="operator")
        joe.send(address(a), "For ann.")
        ann.expect("For ann.", sender="operator")

        joe.send(address(a), "!FINISH")
        joe.expect("The chat is now closed.", sender=address(a))
        ann.expect("The chat is now closed.", sender="system")
        joe.send(address(b), "Still with you, bob.")
        bob.expect("Still with you, bob.", sender="operator")

        ann.poll()
        bob.poll()
        self.assertEqual([t for s, t in ann.texts() if s == "operator"], ["For ann."])
        self.assertEqual([t for s, t in bob.texts() if s == "operator"],
                         ["For bob.", "Still with you, bob."])
        self.assertEqual(ann.status, "closed")
        self.assertEqual(bob.status, "open")
        self.assertEqual(app.stop(), 0)


if __name__ == "__main__":
    case.main()
