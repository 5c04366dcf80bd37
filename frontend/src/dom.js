// Tiny DOM helpers shared by the editor's controls.

/** A new element with a class and text. */
export function el (tag, className, text) {
  const node = document.createElement(tag)
  if (className) node.className = className
  if (text !== undefined) node.textContent = text
  return node
}

/** A <button type="button"> that never takes focus from the editor when pressed with a mouse or finger. */
export function toolButton (className, text, onPress) {
  const button = el('button', className, text)
  button.type = 'button'
  button.addEventListener('mousedown', (event) => event.preventDefault())
  button.addEventListener('click', onPress)
  return button
}
