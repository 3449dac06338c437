"""The template diagram fits its box: it shrinks to the box but not below a readable size, and narrow boxes (phones)
and flows too wide for any page get the steps drawn top to bottom. The browser check is in
tests/e2e/test_first_hour.py (the drawing's width against its box on a desktop and a phone)."""

from django.template.loader import render_to_string

from apps.marketplace.page_selectors import MIN_SCALE, NODE_HEIGHT, NODE_WIDTH, graph_preview


def chain(count: int, *, step: int = 260) -> dict:
    nodes = [
        {"id": f"n{i}", "name": f"Step {i}", "type": "core.set" if i else "trigger.manual", "parameters": {}, "position": [i * step, 0]}
        for i in range(count)
    ]
    edges = [{"source": f"n{i}", "target": f"n{i + 1}"} for i in range(count - 1)]
    return {"nodes": nodes, "edges": edges}


def overlaps(drawing) -> bool:
    boxes = [(n.x, n.y) for n in drawing.nodes]
    return any(abs(ax - bx) < NODE_WIDTH and abs(ay - by) < NODE_HEIGHT for i, (ax, ay) in enumerate(boxes) for (bx, by) in boxes[i + 1 :])


def test_a_chain_is_drawn_across_and_top_to_bottom_in_one_column(db):
    preview = graph_preview(chain(4))
    assert preview.width == 3 * 260 + NODE_WIDTH + 40 and not preview.too_wide
    down = preview.vertical
    assert down.width == NODE_WIDTH + 40  # one column: fits a phone at full size
    assert [n.id for n in sorted(down.nodes, key=lambda n: n.y)] == ["n0", "n1", "n2", "n3"]
    assert not overlaps(down) and all(edge.downward for edge in down.edges) and len(down.edges) == 3
    assert preview.min_width == int(preview.width * MIN_SCALE)


def test_branches_become_side_by_side_lanes_without_overlap(db):
    graph = chain(2)
    graph["nodes"] += [
        {"id": "yes", "name": "Yes", "type": "core.set", "parameters": {}, "position": [520, -80]},
        {"id": "no", "name": "No", "type": "core.set", "parameters": {}, "position": [540, 90]},
    ]
    graph["edges"] += [{"source": "n1", "target": "yes"}, {"source": "n1", "target": "no"}]
    down = graph_preview(graph).vertical
    by_id = {n.id: n for n in down.nodes}
    assert by_id["yes"].y == by_id["no"].y > by_id["n1"].y and by_id["yes"].x < by_id["no"].x
    assert down.width == 2 * NODE_WIDTH + 20 + 40 and not overlaps(down)


def test_the_drawing_shrinks_to_its_box_but_not_below_a_readable_size_and_wide_flows_go_top_to_bottom(db):
    html = render_to_string("marketplace/_graph.html", {"graph": graph_preview(chain(3))})
    assert 'class="mp-graph mp-graph-across"' in html and 'class="mp-graph mp-graph-down"' in html
    assert "max-width:740px" in html and f"min-width:{int(740 * MIN_SCALE)}px" in html
    assert html.count('data-testid="preview-node"') == 3  # counted once, whichever drawing is visible

    wide = graph_preview(chain(12))
    assert wide.too_wide
    html = render_to_string("marketplace/_graph.html", {"graph": wide})
    assert "mp-graph-across" not in html and "mp-graph-only" in html and html.count('data-testid="preview-node"') == 12
