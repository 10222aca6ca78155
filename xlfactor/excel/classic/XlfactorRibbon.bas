Attribute VB_Name = "XlfactorRibbon"
' xlfactor ribbon dispatcher (classic desktop add-in, Windows).
' Every ribbon button in customUI.xml calls XlfactorAction; its tag names the action, which
' xlfactor.excel.ribbon.dispatch runs on the calling workbook. RunPython comes from the xlwings
' VBA module of the add-in template (xlwings quickstart --addin --ribbon).
Option Explicit

Sub XlfactorAction(control As IRibbonControl)
    RunPython "import xlfactor.excel.ribbon as r; r.dispatch('" & control.Tag & "')"
End Sub
