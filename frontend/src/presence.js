// "Who is here": colours for people and the presence list rendered from awareness.

// GOV.UK colour palette: strong enough for a 2px caret and a name label with
// white text (contrast at least 4.5:1 against white).
const COLOURS = ['#1d70b8', '#00703c', '#d4351c', '#4c2c92', '#912b88', '#b1400b', '#005a30', '#003078']

/** A stable colour for a person, so their cursor looks the same in every tab. */
export function colourFor (name) {
  let hash = 0
  for (const ch of String(name)) hash = (hash * 31 + ch.codePointAt(0)) >>> 0
  return COLOURS[hash % COLOURS.length]
}

const HEX_COLOUR = /^#[0-9a-fA-F]{6}$/
const NO_COLOUR = '#505a5f'

/** A colour safe to put in a style: `#rrggbb`, else GOV.UK grey (never CSS from others). */
export function safeColour (value) {
  return typeof value === 'string' && HEX_COLOUR.test(value) ? value : NO_COLOUR
}

/** The awareness `user` field for this person. */
export function makeUser (name, role) {
  const color = colourFor(`${name}|${role}`)
  return { name, role, color, colorLight: `${color}33` }
}

/** Everyone present, this connection first, then by name. */
export function listPeople (awareness) {
  const people = []
  for (const [clientId, state] of awareness.getStates()) {
    if (!state || !state.user) continue
    people.push({ clientId, isYou: clientId === awareness.clientID, ...state.user })
  }
  return people.sort((a, b) => (b.isYou - a.isYou) || String(a.name).localeCompare(String(b.name)))
}

/** Render the presence list into `list` (a <ul>); safe against any user-supplied name. */
export function renderPresence (list, awareness) {
  const items = listPeople(awareness).map((person) => {
    const li = document.createElement('li')
    li.className = 'app-presence__person'
    li.dataset.clientId = String(person.clientId)
    const swatch = document.createElement('span')
    swatch.className = 'app-presence__swatch'
    swatch.setAttribute('aria-hidden', 'true')
    swatch.style.backgroundColor = safeColour(person.color)
    const name = document.createElement('span')
    name.className = 'app-presence__name'
    name.textContent = person.isYou ? `${person.name} (you)` : String(person.name)
    const role = document.createElement('span')
    role.className = 'app-presence__role govuk-body-s'
    role.textContent = person.role ? String(person.role) : ''
    li.append(swatch, name, role)
    return li
  })
  list.replaceChildren(...items)
  return items.length
}
