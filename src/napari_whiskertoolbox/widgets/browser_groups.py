"""The browser's groups panel: groups with member counts, members on expand, new from selection."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from qtpy.QtWidgets import (
    QHBoxLayout,
    QInputDialog,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from napari_whiskertoolbox.widgets.browser_model import describe_entity
from napari_whiskertoolbox.widgets.browser_selection import selected_entity_ids

if TYPE_CHECKING:
    import numpy as np

__all__ = ["GroupsPanel"]

_MAX_LISTED_MEMBERS = 200


class GroupsPanel(QWidget):
    """List ``dm.groups``; expand a group to see where its members live.

    Parameters
    ----------
    session : ViewerSession
        Gives the DataManager, the viewer (for the selected layer) and bindings.
    """

    def __init__(self, session: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(["Group", "Members"])
        self.tree.itemExpanded.connect(self._fill_members)
        self.new_button = QPushButton("Group from layer selection…")
        self.new_button.setToolTip(
            "Make a group of the objects selected in the active synced layer"
        )
        self.new_button.clicked.connect(self._ask_new_group)
        self.delete_button = QPushButton("Delete group")
        self.delete_button.clicked.connect(self._delete_selected)
        buttons = QHBoxLayout()
        buttons.addWidget(self.new_button)
        buttons.addWidget(self.delete_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.tree)
        layout.addLayout(buttons)
        self.refresh()

    def refresh(self) -> None:
        """Rebuild the group list (members are listed lazily on expand)."""
        expanded = {
            self.tree.topLevelItem(i).text(0)
            for i in range(self.tree.topLevelItemCount())
            if self.tree.topLevelItem(i).isExpanded()
        }
        self.tree.clear()
        for name, count in self.session.dm.groups.counts().items():
            item = QTreeWidgetItem([name, str(count)])
            item.setChildIndicatorPolicy(QTreeWidgetItem.ChildIndicatorPolicy.ShowIndicator)
            self.tree.addTopLevelItem(item)
            if name in expanded:
                item.setExpanded(True)

    def group_names(self) -> list[str]:
        """Return the listed group names in order."""
        return [self.tree.topLevelItem(i).text(0) for i in range(self.tree.topLevelItemCount())]

    def members_shown(self, name: str) -> list[str]:
        """Texts of the member rows shown under group ``name`` (expanding it)."""
        for i in range(self.tree.topLevelItemCount()):
            item = self.tree.topLevelItem(i)
            if item.text(0) == name:
                item.setExpanded(True)
                return [item.child(j).text(0) for j in range(item.childCount())]
        raise KeyError(f"no entity group {name!r} listed")

    def _fill_members(self, item: QTreeWidgetItem) -> None:
        if item.parent() is not None:
            return
        item.takeChildren()
        members = self.session.dm.groups.members(item.text(0))
        texts = [describe_entity(self.session.dm, int(e)) for e in members[:_MAX_LISTED_MEMBERS]]
        if len(members) > _MAX_LISTED_MEMBERS:
            texts.append(f"… {len(members) - _MAX_LISTED_MEMBERS} more")
        for text in texts:
            child = QTreeWidgetItem([text])
            child.setToolTip(0, text)
            item.addChild(child)
            child.setFirstColumnSpanned(True)  # "<id>  key @ frame t" is wider than "Group"

    def group_from_layer(self, name: str, layer: Any = None) -> np.ndarray:
        """Create group ``name`` of the entities selected in ``layer`` (default: active layer).

        Returns
        -------
        numpy.ndarray
            The ids put in the group.

        Raises
        ------
        ValueError
            When no synced layer is active, nothing is selected, or the name is taken.
        """
        layer = layer if layer is not None else self.session.viewer.layers.selection.active
        if layer is None:
            raise ValueError("no active layer; select a synced points, lines or mask layer")
        ids = selected_entity_ids(self.session, layer)
        if len(ids) == 0:
            raise ValueError(f"nothing is selected in layer {layer.name!r}")
        self.session.dm.groups.create(name, ids.tolist())
        return ids

    def _ask_new_group(self) -> None:
        name, ok = QInputDialog.getText(self, "New group", "Group name")
        if ok and name.strip():
            try:
                self.group_from_layer(name.strip())
            except (ValueError, KeyError) as exc:
                from napari.utils.notifications import show_warning

                show_warning(str(exc))

    def _delete_selected(self) -> None:
        item = self.tree.currentItem()
        while item is not None and item.parent() is not None:
            item = item.parent()
        if item is not None:
            self.session.dm.groups.delete(item.text(0))
