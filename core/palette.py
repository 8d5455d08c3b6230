"""The charts' colours, one palette for the whole portal, so a colour means the same on every chart
(the dashboards' bars and the projects' pulse trend alike)."""

WON_FILL = "#1e7b4a"
LOST_FILL = "#c2413a"
BAR_FILL = "#2d6aa3"
WEIGHTED_FILL = "#9cc0e3"
