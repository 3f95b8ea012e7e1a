# report.cmake — tests of the report writers (harness/report) and of
# `cabound report`; included from harness/tests/CMakeLists.txt.
add_executable(test_report
  ${CMAKE_CURRENT_LIST_DIR}/test_report.c
  ${CMAKE_CURRENT_LIST_DIR}/../cli/cmd_report.c
  ${CMAKE_CURRENT_LIST_DIR}/../cli/flags.c
)
target_include_directories(test_report PRIVATE ${CMAKE_CURRENT_LIST_DIR} ${CMAKE_CURRENT_LIST_DIR}/../cli)
target_link_libraries(test_report PRIVATE cabound_report)
add_test(NAME test_report COMMAND test_report ${CMAKE_CURRENT_LIST_DIR}/data/report)
set_tests_properties(test_report PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 120 LABELS unit)

add_test(NAME report_browser
  COMMAND sh ${CMAKE_CURRENT_LIST_DIR}/report_browser_test.sh $<TARGET_FILE:cabound>
          ${CMAKE_CURRENT_LIST_DIR}/data/report ${CMAKE_CURRENT_BINARY_DIR}/report_browser)
set_tests_properties(report_browser PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 180 LABELS browser)

# What report.html shows of the stacks' behaviour (verdict colors, outcome
# marks, findings first, rule sides, boundaries).
add_executable(test_report_html ${CMAKE_CURRENT_LIST_DIR}/test_report_html.c)
target_include_directories(test_report_html PRIVATE ${CMAKE_CURRENT_LIST_DIR})
target_link_libraries(test_report_html PRIVATE cabound_report)
add_test(NAME test_report_html COMMAND test_report_html ${CMAKE_CURRENT_LIST_DIR}/data/report)
set_tests_properties(test_report_html PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 60 LABELS unit)

# Packaged vs current release: changes.jsonl, the README's changes table and
# findings column, the page's section and --upstream, over hand-written lines.
add_executable(test_changes ${CMAKE_CURRENT_LIST_DIR}/test_changes.c)
target_include_directories(test_changes PRIVATE ${CMAKE_CURRENT_LIST_DIR})
target_link_libraries(test_changes PRIVATE cabound_report cabound_wire)
add_test(NAME test_changes COMMAND test_changes)
set_tests_properties(test_changes PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 60 LABELS unit)
