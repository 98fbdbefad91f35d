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

# A data frame as a JSON array of typed columns (numeric, factor, ordered, character, logical; NA as null).
col_json <- function(name, v) {
  kind <- if (is.ordered(v)) "ordered" else if (is.factor(v)) "factor" else if (is.logical(v)) "logical" else if (is.character(v)) "character" else "numeric"
  vals <- if (is.factor(v)) as.character(v) else v
  out <- list(name = s1(name), kind = s1(kind), values = if (is.numeric(vals)) vals else {
    q <- if (is.logical(vals)) ifelse(vals, "true", "false") else paste0("\"", vals, "\""); q[is.na(vals)] <- "null"; structure(paste0("[", paste(q, collapse = ","), "]"), raw = TRUE) })
  if (is.factor(v)) out$levels <- levels(v)
  out
}
to_json_raw <- function(v) if (!is.null(attr(v, "raw"))) v else to_json(v)
table_json <- function(d) paste0("[", paste(vapply(names(d), function(n) {
  c <- col_json(n, d[[n]])
  paste0("{", paste0("\"", names(c), "\":", vapply(c, to_json_raw, ""), collapse = ","), "}")
}, ""), collapse = ","), "]")

