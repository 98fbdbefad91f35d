# The fixture scripts' JSON writer (sourced by make_*.R).
# A JSON writer that keeps every bit of a double (%.17g round-trips exactly); jsonlite stops at 15 digits.
num <- function(x) ifelse(is.na(x) | is.nan(x), "null", ifelse(is.infinite(x), ifelse(x > 0, "1e999", "-1e999"), sprintf("%.17g", x)))
to_json <- function(v, scalar = FALSE) {
  if (is.null(v)) return("null")
  if (is.list(v)) {
    if (!is.null(names(v))) return(paste0("{", paste0("\"", names(v), "\":", vapply(v, to_json, ""), collapse = ","), "}"))
    return(paste0("[", paste(vapply(v, to_json, ""), collapse = ","), "]"))
  }
  if (is.factor(v)) v <- as.character(v)
  vals <- if (is.character(v)) paste0("\"", gsub("\"", "\\\"", gsub("\\", "\\\\", v, fixed = TRUE), fixed = TRUE), "\"") else if (is.logical(v)) ifelse(v, "true", "false") else num(as.numeric(v))
  if (length(v) == 1 && !is.null(attr(v, "scalar"))) return(vals)
  if (length(v) == 1 && scalar) return(vals)
  paste0("[", paste(vals, collapse = ","), "]")
}
s1 <- function(x) structure(x, scalar = TRUE)
